import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { checkRequests } from '../../runner/testing/botocore-model.ts';
import { SECRET_MAX_AGE_MS, secretsManagerSecret } from './session-secret.ts';

const ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:uigate-sessions-AbCdEf';

describe('the session key from Secrets Manager', () => {
  it('is read once per execution environment, however many requests need it', async () => {
    const mock = mockClient(SecretsManagerClient);
    const checked = checkRequests(mock, 'secretsmanager');
    mock.on(GetSecretValueCommand, { SecretId: ARN }).resolves({ SecretString: 'k'.repeat(64) });
    const secret = secretsManagerSecret(ARN, new SecretsManagerClient({ region: 'eu-west-1' }));
    const values = await Promise.all(Array.from({ length: 5 }, () => secret()));
    assert.ok(values.every((value) => value === 'k'.repeat(64)));
    assert.equal(mock.commandCalls(GetSecretValueCommand).length, 1);
    checked();
    mock.restore();
  });

  it('is asked again after a failed read (a throttle passes), and refused when too short to sign with', async () => {
    const mock = mockClient(SecretsManagerClient);
    const checked = checkRequests(mock, 'secretsmanager');
    mock
      .on(GetSecretValueCommand)
      .rejectsOnce(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }))
      .resolves({ SecretString: 'k'.repeat(64) });
    const secret = secretsManagerSecret(ARN, new SecretsManagerClient({ region: 'eu-west-1' }));
    await assert.rejects(secret(), /Rate exceeded/);
    assert.equal(await secret(), 'k'.repeat(64));
    mock.reset();
    mock.on(GetSecretValueCommand).resolves({ SecretString: 'short' });
    await assert.rejects(
      secretsManagerSecret(ARN, new SecretsManagerClient({ region: 'eu-west-1' }))(),
      /shorter than 32 characters: it cannot sign sessions/,
    );
    checked();
    mock.restore();
  });

  it('is read again after a few minutes, so a new value signs everyone out on warm functions too', async () => {
    const mock = mockClient(SecretsManagerClient);
    const checked = checkRequests(mock, 'secretsmanager');
    mock
      .on(GetSecretValueCommand)
      .resolvesOnce({ SecretString: 'a'.repeat(64) })
      .resolves({ SecretString: 'b'.repeat(64) });
    let clock = 0;
    const secret = secretsManagerSecret(ARN, new SecretsManagerClient({ region: 'eu-west-1' }), {
      now: () => clock,
    });
    assert.equal(await secret(), 'a'.repeat(64));
    clock = SECRET_MAX_AGE_MS - 1;
    assert.equal(await secret(), 'a'.repeat(64));
    clock = SECRET_MAX_AGE_MS;
    assert.equal(await secret(), 'b'.repeat(64), 'the rotated value');
    assert.equal(mock.commandCalls(GetSecretValueCommand).length, 2);
    checked();
    mock.restore();
  });
});
