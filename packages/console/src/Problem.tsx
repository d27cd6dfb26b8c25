/** A refusal or failure in words, announced to screen readers; nothing when there is none. */
export function Problem(props: { text: string | undefined }) {
  if (!props.text) return null;
  return (
    <p role="alert" className="error">
      {props.text}
    </p>
  );
}
