/** An error shaped like the SDK's service exceptions. */
export function awsError(name: string, message = name, status = 400): Error {
  return Object.assign(new Error(message), { name, $fault: status >= 500 ? 'server' : 'client', $metadata: { httpStatusCode: status } });
}

/** An error shaped like the SDK's failure to reach an endpoint at all (a region that is down). */
export function networkError(host: string): Error {
  return Object.assign(new Error(`connect ECONNREFUSED ${host}`), { name: 'Error', code: 'ECONNREFUSED', $metadata: {} });
}

/**
 * An error shaped like the SDK's when the connection drops after the request was sent and before
 * the answer came (`socket hang up`): the call may have taken effect.
 */
export function lostResponseError(host: string): Error {
  return Object.assign(new Error(`socket hang up (${host})`), { name: 'Error', code: 'ECONNRESET', $metadata: {} });
}
