import { useCallback, useEffect, useState } from 'react';
import { ApiError, api, type SessionInfo } from '../api.js';

interface Tool {
  name: string;
  categories: string[];
  labels: string[];
  description?: string;
  source: string;
}
interface Pin {
  upstream: string;
  tool: string;
  status: string;
  hash: string;
  definition?: unknown;
  held?: { hash: string; reason: string; definition: unknown };
  approved_by?: string;
  updated_at: string;
}

/** The tool catalog, and the MCP tool pins with any changed definition beside the pinned one. */
export function ToolsPage(props: { session: SessionInfo }) {
  const [tools, setTools] = useState<Tool[]>([]);
  const [pins, setPins] = useState<Pin[]>([]);
  const [message, setMessage] = useState<{ kind: 'ok' | 'refused'; text: string } | undefined>();
  const isAdmin = props.session.roles.includes('admin');

  const load = useCallback(async () => {
    try {
      const [catalog, pinned] = await Promise.all([
        api<{ tools: Tool[] }>('GET', '/v1/tools'),
        api<{ pins: Pin[] }>('GET', '/v1/tools/pins'),
      ]);
      setTools(catalog.tools.sort((a, b) => a.name.localeCompare(b.name)));
      setPins(pinned.pins);
    } catch (err) {
      setMessage({
        kind: 'refused',
        text: err instanceof ApiError ? err.message : 'the tools could not be loaded',
      });
    }
  }, []);
  useEffect(() => {
    void load();
  }, [load]);

  const approve = async (pin: Pin) => {
    if (!pin.held) return;
    try {
      await api(
        'POST',
        `/v1/tools/pins/${encodeURIComponent(pin.upstream)}/${encodeURIComponent(pin.tool)}/approve`,
        {
          hash: pin.held.hash,
        },
      );
      setMessage({
        kind: 'ok',
        text: `The new definition of ${pin.upstream}.${pin.tool} is pinned; its calls run again.`,
      });
      await load();
    } catch (err) {
      setMessage({
        kind: 'refused',
        text: err instanceof ApiError ? err.message : 'the approval was not recorded',
      });
    }
  };

  const held = pins.filter((p) => p.held);
  return (
    <section>
      <h1>Tools</h1>
      {message && (
        <p
          role={message.kind === 'ok' ? 'status' : 'alert'}
          className={message.kind === 'ok' ? 'notice' : 'error'}
        >
          {message.text}
        </p>
      )}
      {held.map((pin) => (
        <article
          key={`${pin.upstream}.${pin.tool}`}
          className="detail pin-change"
          aria-label={`${pin.upstream}.${pin.tool} changed`}
        >
          <h2>
            {pin.upstream}.{pin.tool}: definition{' '}
            {pin.held?.reason === 'suspect' ? 'looks suspect' : 'changed'} — calls are blocked until an admin
            approves it
          </h2>
          <div className="side-by-side">
            <div>
              <h3>Pinned ({pin.hash.slice(0, 12) || 'none'})</h3>
              <pre className="args">{JSON.stringify(pin.definition ?? null, null, 2)}</pre>
            </div>
            <div>
              <h3>Held ({pin.held?.hash.slice(0, 12)})</h3>
              <pre className="args">{JSON.stringify(pin.held?.definition, null, 2)}</pre>
            </div>
          </div>
          {isAdmin && (
            <button type="button" className="danger" onClick={() => void approve(pin)}>
              Approve the new definition
            </button>
          )}
        </article>
      ))}
      <h2>Catalog</h2>
      <table className="grid" aria-label="Tool catalog">
        <thead>
          <tr>
            <th scope="col">Tool</th>
            <th scope="col">Categories</th>
            <th scope="col">Labels</th>
            <th scope="col">Source</th>
          </tr>
        </thead>
        <tbody>
          {tools.map((t) => (
            <tr key={t.name}>
              <th scope="row">
                <code>{t.name}</code>
                {t.description && <div className="muted">{t.description}</div>}
              </th>
              <td>{t.categories.join(', ')}</td>
              <td>{t.labels.join(', ')}</td>
              <td>{t.source}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <h2>MCP tool pins</h2>
      {pins.length === 0 ? (
        <p className="muted">
          No MCP tools pinned yet: the gateway pins each tool the first time it lists it.
        </p>
      ) : (
        <table className="grid" aria-label="Tool pins">
          <thead>
            <tr>
              <th scope="col">Tool</th>
              <th scope="col">Status</th>
              <th scope="col">Hash</th>
              <th scope="col">Approved by</th>
            </tr>
          </thead>
          <tbody>
            {pins.map((p) => (
              <tr key={`${p.upstream}.${p.tool}`}>
                <th scope="row">
                  <code>
                    {p.upstream}.{p.tool}
                  </code>
                </th>
                <td>{p.status}</td>
                <td>
                  <code>{p.hash.slice(0, 12)}</code>
                </td>
                <td>{p.approved_by ?? '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
