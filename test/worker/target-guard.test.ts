import { describe, expect, it } from "vitest";
import { checkTarget } from "../../src/lib/fanout/target-guard.ts";

const production = { production: true };
const development = { production: false };

function reasonFor(target: string, options = production): string | undefined {
  const verdict = checkTarget(target, options);
  return verdict.ok ? undefined : verdict.reason;
}

// Each trick with the part of the reason that shows the guard saw through it.
const refusedInProduction: [string, RegExp][] = [
  ["http://127.0.0.1/", /loopback address \(127\.0\.0\.1\)/],
  ["http://127.53.0.9:8080/admin", /loopback/],
  ["http://127.1/", /loopback address \(127\.0\.0\.1\)/],
  ["http://2130706433/", /loopback address \(127\.0\.0\.1\)/],
  ["http://0x7f000001/", /loopback address \(127\.0\.0\.1\)/],
  ["http://017700000001/", /loopback address \(127\.0\.0\.1\)/],
  ["http://0x7f.0.0.1/", /loopback address \(127\.0\.0\.1\)/],
  ["http://127.0.0.1./", /loopback address \(127\.0\.0\.1\)/],
  ["http://%31%32%37.0.0.1/", /loopback address \(127\.0\.0\.1\)/],
  ["http://\uff11\uff12\uff17.0.0.1/", /loopback address \(127\.0\.0\.1\)/],
  ["http://%6c%6fcalhost/", /local machine \(localhost\)/],
  ["http://localhost/", /local machine \(localhost\)/],
  ["http://LOCALHOST.:8787/", /local machine \(localhost\)/],
  ["http://api.localhost/", /local machine/],
  ["http://[::1]/", /loopback address \(::1\)/],
  ["http://[::ffff:127.0.0.1]/", /loopback address \(127\.0\.0\.1\), embedded in ::ffff:7f00:1/],
  ["http://[0:0:0:0:0:ffff:a00:1]/", /private address \(10\.0\.0\.1\), embedded/],
  ["http://[::127.0.0.1]/", /loopback address \(127\.0\.0\.1\), embedded/],
  ["http://[64:ff9b::7f00:1]/", /loopback address \(127\.0\.0\.1\), embedded/],
  ["http://[64:ff9b::a9fe:a9fe]/", /link-local address \(169\.254\.169\.254\), embedded/],
  ["http://[2002:c0a8:101::1]/", /private address \(192\.168\.1\.1\), embedded/],
  ["http://10.0.0.1/", /private address/],
  ["http://0x0a.0x00.0x00.0x01/", /private address \(10\.0\.0\.1\)/],
  ["http://172.16.0.1/", /private address/],
  ["http://172.31.255.254/", /private address/],
  ["http://192.168.1.1/", /private address/],
  ["http://169.254.169.254/latest/meta-data/", /link-local address \(169\.254\.169\.254\)/],
  ["http://169.254.10.10/", /link-local/],
  ["http://[fe80::1]/", /link-local \(fe80::\/10\)/],
  ["http://100.64.0.1/", /carrier-grade NAT/],
  ["http://100.100.100.200/", /carrier-grade NAT/],
  ["http://[fd00:ec2::254]/", /unique-local \(fc00::\/7\)/],
  ["http://[fc00::1]/", /unique-local/],
  ["http://[fec0::1]/", /site-local/],
  ["http://metadata.google.internal/computeMetadata/v1/", /cloud metadata service/],
  ["http://metadata.goog/", /cloud metadata service/],
  ["http://metadata/", /cloud metadata service/],
  ["http://0.0.0.0/", /unspecified/],
  ["http://0/", /unspecified/],
  ["http://[::]/", /unspecified/],
  ["http://255.255.255.255/", /broadcast/],
  ["http://224.0.0.1/", /multicast/],
  ["http://[ff02::1]/", /multicast/],
  ["http://240.0.0.1/", /reserved/],
  ["http://192.0.2.1/", /reserved/],
  ["http://198.18.0.1/", /reserved/],
  ["http://[2001:db8::1]/", /reserved/],
  ["http://[2001:0::1]/", /Teredo|reserved/],
  ["http://printer.local/", /internal name \(\*\.local\)/],
  ["http://db.internal/", /internal name \(\*\.internal\)/],
  ["http://nas.lan/", /internal name \(\*\.lan\)/],
  ["http://router.home.arpa/", /internal name \(\*\.home\.arpa\)/],
  ["http://intranet/", /single-label name/],
  ["ftp://example.com/", /only http: and https:/],
  ["file:///etc/passwd", /only http: and https:/],
  ["javascript:alert(1)", /only http: and https:/],
  ["http://user:pass@example.com/", /credentials/],
  ["https://token@example.com/", /credentials/],
  ["not a url", /not an absolute URL/],
  ["/relative/path", /not an absolute URL/],
];

const allowedInProduction = [
  "https://example.com/",
  "http://example.com./",
  "https://sub.example.co.uk:8443/path?q=1",
  "http://93.184.215.14/",
  "http://1.1.1.1/",
  "http://[2606:4700:4700::1111]/",
  "http://[::ffff:8.8.8.8]/",
  "http://[64:ff9b::808:808]/",
  "http://local.example.com/",
  "http://localhost.example.com/",
  "http://internal.example.org/",
];

describe("checkTarget", () => {
  it.each(refusedInProduction)("refuses %s in production", (target, reason) => {
    expect(reasonFor(target)).toMatch(reason);
  });

  it.each(allowedInProduction)("allows the public target %s", (target) => {
    expect(checkTarget(target, production)).toEqual({ ok: true, url: new URL(target) });
  });

  it("judges the canonical form WHATWG parsing gives decimal, octal and hex hosts", () => {
    // The guard never sees the trick spelling: URL parsing has already turned it into dotted decimal.
    for (const spelling of [
      "http://2130706433/",
      "http://017700000001/",
      "http://0x7f.1/",
      "http://%31%32%37.1/",
    ]) {
      expect(new URL(spelling).hostname).toBe("127.0.0.1");
    }
    expect(new URL("http://[::ffff:127.0.0.1]/").hostname).toBe("[::ffff:7f00:1]");
  });

  it.each(["http://127.0.0.1:8787/", "http://localhost/", "http://[::1]/", "http://[::ffff:127.0.0.1]/"])(
    "allows the loopback target %s in development, for local test sites",
    (target) => {
      expect(checkTarget(target, development).ok).toBe(true);
    },
  );

  it.each([
    "http://10.0.0.1/",
    "http://192.168.0.10/",
    "http://169.254.169.254/",
    "http://[fd00:ec2::254]/",
    "http://metadata.google.internal/",
    "http://user:pass@127.0.0.1/",
    "ftp://127.0.0.1/",
  ])("still refuses %s in development", (target) => {
    expect(checkTarget(target, development).ok).toBe(false);
  });

  it("accepts an already parsed URL and returns it unchanged", () => {
    const url = new URL("https://example.com/a");
    expect(checkTarget(url, production)).toEqual({ ok: true, url });
  });
});
