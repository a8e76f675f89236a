/** The application's secrets and the secret manager's store. */
export { AppSecrets } from "./app-secrets";
export { type AppSecretsArgs } from "./secrets.args";
export { SecretStore } from "./secret-store";
export { type SecretStoreArgs } from "./secrets.args";
