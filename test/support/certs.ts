/**
 * Certificates made at test time for the TLS and mutual-TLS tests: a CA, a server certificate for
 * 127.0.0.1 and localhost, a client certificate, and a second, unrelated CA with its own client
 * certificate (the "wrong CA" cases). Web Crypto only (ECDSA P-256), so every runtime can run it.
 */
// @peculiar/x509 resolves its parts through tsyringe, which needs the Reflect metadata API.
import "reflect-metadata";
import * as x509 from "@peculiar/x509";

export interface Pem {
  cert: string;
  key: string;
}

export interface TestCertificates {
  ca: Pem;
  server: Pem;
  client: Pem;
  otherCa: Pem;
  /** A client certificate signed by `otherCa`, which the server must refuse. */
  otherClient: Pem;
}

const ALGORITHM = { name: "ECDSA", namedCurve: "P-256", hash: "SHA-256" } as const;
const DAY_MS = 86_400_000;

async function keyPem(keys: CryptoKeyPair): Promise<string> {
  const pkcs8 = await crypto.subtle.exportKey("pkcs8", keys.privateKey);
  return x509.PemConverter.encode(pkcs8, "PRIVATE KEY");
}

const newKeys = () => crypto.subtle.generateKey(ALGORITHM, true, ["sign", "verify"]) as Promise<CryptoKeyPair>;

async function authority(name: string): Promise<{ pem: Pem; cert: x509.X509Certificate; keys: CryptoKeyPair }> {
  const keys = await newKeys();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: "01",
    name: `CN=${name}`,
    notBefore: new Date(Date.now() - DAY_MS),
    notAfter: new Date(Date.now() + DAY_MS),
    keys,
    signingAlgorithm: ALGORITHM,
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
    ],
  });
  return { pem: { cert: cert.toString("pem"), key: await keyPem(keys) }, cert, keys };
}

async function leaf(
  issuer: { cert: x509.X509Certificate; keys: CryptoKeyPair },
  name: string,
  serial: string,
  extensions: x509.Extension[],
): Promise<Pem> {
  const keys = await newKeys();
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serial,
    subject: `CN=${name}`,
    issuer: issuer.cert.subject,
    notBefore: new Date(Date.now() - DAY_MS),
    notAfter: new Date(Date.now() + DAY_MS),
    publicKey: keys.publicKey,
    signingKey: issuer.keys.privateKey,
    signingAlgorithm: ALGORITHM,
    extensions: [new x509.BasicConstraintsExtension(false, undefined, true), ...extensions],
  });
  return { cert: cert.toString("pem"), key: await keyPem(keys) };
}

export async function makeCertificates(): Promise<TestCertificates> {
  const ca = await authority("zizq-edge test CA");
  const otherCa = await authority("some other CA");
  const usage = new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true);
  const server = await leaf(ca, "127.0.0.1", "02", [
    usage,
    new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
    new x509.SubjectAlternativeNameExtension([
      { type: "ip", value: "127.0.0.1" },
      { type: "dns", value: "localhost" },
    ]),
  ]);
  const clientAuth = new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.clientAuth]);
  const client = await leaf(ca, "zizq-edge test worker", "03", [usage, clientAuth]);
  const otherClient = await leaf(otherCa, "an intruder", "04", [usage, clientAuth]);
  return { ca: ca.pem, server, client, otherCa: otherCa.pem, otherClient };
}
