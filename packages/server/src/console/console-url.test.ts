import { describe, expect, it } from 'vitest';
import { consoleOrigin } from './console-url.js';

describe('consoleOrigin', () => {
  it('serves passkeys on localhost when the server is known by a loopback IP address', () => {
    expect(consoleOrigin('http://127.0.0.1:4470')).toBe('http://localhost:4470');
    expect(consoleOrigin('http://[::1]:4470')).toBe('http://localhost:4470');
  });

  it('keeps a host name, and a configured console URL wins', () => {
    expect(consoleOrigin('https://gatehouse.example.com')).toBe('https://gatehouse.example.com');
    expect(consoleOrigin('http://127.0.0.1:4470', 'https://console.example.com/')).toBe(
      'https://console.example.com',
    );
  });
});
