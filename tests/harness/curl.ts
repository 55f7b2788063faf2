/** Requests made with curl, a client other than the exporter's own runtime. */

/** curl's status code for `url` (0 when the TLS handshake or connection fails). */
export async function curlStatus(url: string, args: string[]): Promise<number> {
  const output = await new Deno.Command("curl", {
    args: ["-s", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "5", ...args, url],
    stdin: "null",
  }).output();
  return Number(new TextDecoder().decode(output.stdout) || "0");
}
