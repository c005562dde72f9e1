// The W3C HDCP version registry: the values MediaKeysPolicy.minHdcpVersion may name. The API layer rejects
// anything else before a CDM sees the policy.
export const HDCP_VERSIONS: ReadonlySet<string> = new Set(['1.0', '1.1', '1.2', '1.3', '1.4', '2.0', '2.1', '2.2', '2.3']);
