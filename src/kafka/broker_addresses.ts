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

/** The real host of a host string kafkajs hands to the socket factory. */
export function decodeHost(host: string): string {
  return host.startsWith(IPV6_PREFIX) ? host.slice(IPV6_PREFIX.length).replaceAll("-", ":") : host;
}

/** kafkajs' default socket factory, plus decoding of encoded IPv6 seeds. */
export const socketFactory: ISocketFactory = ({ host, port, ssl, onConnect }) => {
  const realHost = decodeHost(host);
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
  return socket;
};
