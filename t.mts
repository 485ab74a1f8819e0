import { IAMClient, CreateRoleCommand } from '@aws-sdk/client-iam';
import { startMoto } from './runner/testing/moto.ts';
import { LambdaClient, CreateFunctionCommand, ListVersionsByFunctionCommand, PublishVersionCommand, UpdateFunctionCodeCommand } from '@aws-sdk/client-lambda';
const moto = await startMoto();
try {
const cfg = { endpoint: moto.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } };
const iam = new IAMClient(cfg); const c = new LambdaClient(cfg);
const role = await iam.send(new CreateRoleCommand({ RoleName: 'fn', AssumeRolePolicyDocument: '{}' }));
const r = await c.send(new CreateFunctionCommand({ FunctionName: 'shop', Runtime: 'nodejs20.x', Role: role.Role!.Arn, Handler: 'index.handler', Code: { ZipFile: Buffer.from('PK\x05\x06' + '\0'.repeat(18), 'binary') }, Publish: true }));
console.log('create returns', r.Version);
const l = async () => console.log((await c.send(new ListVersionsByFunctionCommand({ FunctionName: 'shop' }))).Versions?.map(v => v.Version + ':' + v.CodeSha256?.slice(0,6)));
await l();
const u = await c.send(new UpdateFunctionCodeCommand({ FunctionName: 'shop', ZipFile: Buffer.from('PK\x05\x06' + '\0'.repeat(17) + '\x01', 'binary') }));
await l();
const v = await c.send(new PublishVersionCommand({ FunctionName: 'shop', CodeSha256: u.CodeSha256 })); console.log('pub', v.Version); await l();
} finally { await moto.close(); }
