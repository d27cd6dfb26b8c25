/** A compiled glob over names. */
export interface Glob {
  readonly pattern: string;
  test(name: string): boolean;
}
export function compileGlob(_pattern: string): Glob {
  throw new Error('not implemented yet');
}
