// The environment variables the server reads, named once; a module with no dependencies so the CLI can show
// them in help text without loading the server.
export const MASTER_KEY_ENV = 'EMEKIT_MASTER_KEY';
export const JWT_SECRET_ENV = 'EMEKIT_JWT_SECRET';
export const JWT_JWKS_ENV = 'EMEKIT_JWT_JWKS';
export const JWT_AUDIENCE_ENV = 'EMEKIT_JWT_AUDIENCE';
export const JWT_ISSUER_ENV = 'EMEKIT_JWT_ISSUER';
export const DB_ENV = 'EMEKIT_DB';
