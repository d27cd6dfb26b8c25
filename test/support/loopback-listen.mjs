// Preloaded (`node --import`) into third-party servers that listen on every interface when
// given only a port, so that tests and load stay on loopback.
import net from 'node:net';

const listen = net.Server.prototype.listen;
net.Server.prototype.listen = function (...args) {
  const [first, second] = args;
  const portOnly =
    (typeof first === 'number' || (typeof first === 'string' && /^\d+$/.test(first))) &&
    typeof second !== 'string';
  return portOnly
    ? listen.call(this, Number(first), '127.0.0.1', ...args.slice(1))
    : listen.apply(this, args);
};
