/**
 * Broker addresses for kafkajs. kafkajs splits a seed broker at its first ':', so an IPv6 seed
 * (`[2001:db8::1]:9093`) would become host "[" — seeds are handed to it with the address encoded
 * without colons, and our socket factory decodes them again before connecting.
 */
import * as net from "node:net";
import * as tls from "node:tls";
import type { ISocketFactory } from "kafkajs";

const IPV6_PREFIX = "ipv6.";
const KEEP_ALIVE_DELAY_MS = 60_000;

/** `[addr]:port` → `ipv6.<addr with '-' for ':'>:port`; other addresses unchanged. */
export function encodeSeedBroker(address: string): string {
  const bracketed = /^\[([0-9a-fA-F:.]+)\]:(\d+)$/.exec(address);
  if (!bracketed) return address;
  return `${IPV6_PREFIX}${bracketed[1].replaceAll(":", "-")}:${bracketed[2]}`;
}

/**
 * The seeds as kafkajs is given them, and a socket factory that decodes exactly those: a host
 * name the brokers advertise passes untouched, even one that starts with `ipv6.`.
 */
export function seedBrokers(addresses: readonly string[]): {
  brokers: string[];
  /** The address to connect to for a host kafkajs hands over. */
  realHost(host: string): string;
  socketFactory: ISocketFactory;
} {
  const realHosts = new Map<string, string>();
  const brokers = addresses.map((address) => {
    const encoded = encodeSeedBroker(address);
    if (encoded !== address) {
      const host = encoded.slice(0, encoded.lastIndexOf(":"));
      realHosts.set(host, host.slice(IPV6_PREFIX.length).replaceAll("-", ":"));
    }
    return encoded;
  });
  const realHost = (host: string) => realHosts.get(host) ?? host;
  return { brokers, realHost, socketFactory: socketFactoryDecoding(realHost) };
}

/**
 * kafkajs' default socket factory, plus decoding of our own encoded IPv6 seeds, and a socket
 * that ignores unref() once destroyed: kafkajs unrefs its socket on every disconnect, again and
 * again while a broker is dead, and Deno's node:net answers each call on a closed socket by
 * queueing a 'connect' listener that never fires (MaxListenersExceededWarning after ten).
 */
function socketFactoryDecoding(decode: (host: string) => string): ISocketFactory {
  return ({ host, port, ssl, onConnect }) => {
    const realHost = decode(host);
    const socket = ssl
      ? tls.connect({
        host: realHost,
        port,
        // SNI carries host names only, never an IP literal.
        ...(net.isIP(realHost) ? {} : { servername: realHost }),
        ...ssl,
      }, onConnect)
      : net.connect({ host: realHost, port }, onConnect);
    socket.setKeepAlive(true, KEEP_ALIVE_DELAY_MS);
    const unref = socket.unref.bind(socket);
    socket.unref = () => socket.destroyed ? socket : unref();
    return socket;
  };
}
