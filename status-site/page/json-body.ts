// A JSON request body with its SHA-256, as the x-amz-content-sha256 header carries it. In AWS the
// page's POSTs go through CloudFront's origin access control to a Lambda function URL, which takes
// no unsigned payload: "If you use PUT or POST methods with your Lambda function URL, your users
// must compute the SHA256 of the body and include the payload hash value of the request body in
// the x-amz-content-sha256 header" (CloudFront developer guide, "Restrict access to an AWS Lambda
// function URL origin").

export interface JsonBody {
  body: string;
  /** Lower-case hex SHA-256 of `body`'s UTF-8 bytes. */
  sha256: string;
}

export async function jsonBody(value: unknown): Promise<JsonBody> {
  const body = JSON.stringify(value);
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(body));
  const sha256 = [...new Uint8Array(digest)].map((byte) => byte.toString(16).padStart(2, '0')).join('');
  return { body, sha256 };
}
