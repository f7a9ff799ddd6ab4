/**
 * A self-signed certificate for 127.0.0.1, made once per process with the system openssl:
 * Chromium speaks HTTP/2 only over TLS, and the plain suites want HTTP/2 where six HTTP/1.1
 * connections per host are not enough. The browser is told to accept it
 * (`ignoreHTTPSErrors`); nothing else ever trusts it.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

export const OPENSSL_PATH = '/usr/bin/openssl';

export interface Certificate {
  key: string;
  cert: string;
}

let made: Promise<Certificate> | undefined;

async function makeCertificate(): Promise<Certificate> {
  const dir = await mkdtemp(join(tmpdir(), 'plain-tls-'));
  try {
    const key = join(dir, 'key.pem');
    const cert = join(dir, 'cert.pem');
    await promisify(execFile)(OPENSSL_PATH, [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-days',
      '2',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
      '-keyout',
      key,
      '-out',
      cert,
    ]);
    return { key: await readFile(key, 'utf8'), cert: await readFile(cert, 'utf8') };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The certificate and its key (PEM), made on first use. */
export function selfSignedCertificate(): Promise<Certificate> {
  made ??= makeCertificate();
  return made;
}
