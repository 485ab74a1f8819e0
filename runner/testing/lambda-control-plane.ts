// Lambda's control plane for one function, over its REST protocol, for tests of what uigate does
// to a production function behind an alias: the real SDK client (or `uigate` itself, through
// AWS_ENDPOINT_URL_LAMBDA) talks to it. It keeps the behaviours the Lambda API reference documents
// and uigate relies on — an update stays InProgress for a moment and refuses another meanwhile
// (ResourceConflictException); PublishVersion refuses a CodeSha256 that is not $LATEST's
// (PreconditionFailedException) and returns the last version when nothing changed — and keeps
// every zip uploaded, so a test can open what a version holds.
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Version {
  version: string;
  codeSha256: string;
  zip: Buffer;
  description: string;
}

export interface LambdaControlPlane {
  url: string;
  versions: Version[];
  alias(): string;
  /** Requests in order, `METHOD path`. */
  calls: string[];
  /** Someone else's upload lands right after the next one, before its PublishVersion. */
  interfereAfterNextUpload(zip: Buffer): void;
  close(): Promise<void>;
}

export async function startLambdaControlPlane(
  functionName: string,
  aliasName: string,
  initial: Buffer,
): Promise<LambdaControlPlane> {
  const sha = (zip: Buffer) => createHash('sha256').update(zip).digest('base64');
  let latest = { zip: initial, codeSha256: sha(initial), pendingChecks: 0 };
  const versions: Version[] = [{ version: '1', codeSha256: latest.codeSha256, zip: initial, description: '' }];
  let aliasVersion = '1';
  const calls: string[] = [];
  let interloper: Buffer | undefined;
  const base = `/2015-03-31/functions/${functionName}`;

  const config = () => ({
    FunctionName: functionName,
    Version: '$LATEST',
    CodeSha256: latest.codeSha256,
    LastUpdateStatus: latest.pendingChecks > 0 ? 'InProgress' : 'Successful',
  });
  const routes: Record<string, (body: Record<string, unknown>) => [number, unknown, string?]> = {
    [`GET ${base}/aliases/${aliasName}`]: () => [200, { Name: aliasName, FunctionVersion: aliasVersion }],
    [`PUT ${base}/aliases/${aliasName}`]: (body) => {
      if (!versions.some((v) => v.version === body.FunctionVersion))
        return [404, { message: `version ${String(body.FunctionVersion)} not found` }, 'ResourceNotFoundException'];
      aliasVersion = String(body.FunctionVersion);
      return [200, { Name: aliasName, FunctionVersion: aliasVersion }];
    },
    [`GET ${base}/configuration`]: () => {
      const answer = config();
      latest.pendingChecks = Math.max(0, latest.pendingChecks - 1);
      return [200, answer];
    },
    [`PUT ${base}/code`]: (body) => {
      if (latest.pendingChecks > 0)
        return [409, { message: 'An update is in progress for resource' }, 'ResourceConflictException'];
      const zip = Buffer.from(String(body.ZipFile), 'base64');
      latest = { zip, codeSha256: sha(zip), pendingChecks: 1 };
      const answer = { ...config(), LastUpdateStatus: 'InProgress' };
      if (interloper) latest = { zip: interloper, codeSha256: sha(interloper), pendingChecks: 1 };
      interloper = undefined;
      return [200, answer];
    },
    [`POST ${base}/versions`]: (body) => {
      if (latest.pendingChecks > 0)
        return [409, { message: 'An update is in progress for resource' }, 'ResourceConflictException'];
      if (body.CodeSha256 && body.CodeSha256 !== latest.codeSha256)
        return [412, { message: 'CodeSha256 does not match $LATEST' }, 'PreconditionFailedException'];
      const last = versions.at(-1)!;
      if (last.codeSha256 === latest.codeSha256) return [201, { Version: last.version, Description: last.description }];
      const version: Version = {
        version: String(versions.length + 1),
        codeSha256: latest.codeSha256,
        zip: latest.zip,
        description: String(body.Description ?? ''),
      };
      versions.push(version);
      return [201, { Version: version.version, CodeSha256: version.codeSha256, Description: version.description }];
    },
  };

  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const path = new URL(request.url ?? '/', 'http://x').pathname;
      const key = `${request.method} ${decodeURIComponent(path)}`;
      calls.push(key);
      const route = routes[key];
      const body = chunks.length ? (JSON.parse(Buffer.concat(chunks).toString()) as Record<string, unknown>) : {};
      const [status, answer, errorType] = route
        ? route(body)
        : [404, { message: `no route ${key}` }, 'ResourceNotFoundException'];
      response.writeHead(status, {
        'content-type': 'application/json',
        ...(errorType ? { 'x-amzn-errortype': errorType } : {}),
      });
      response.end(JSON.stringify(answer));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    versions,
    alias: () => aliasVersion,
    calls,
    interfereAfterNextUpload(zip) {
      interloper = zip;
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
