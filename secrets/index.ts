/** The application's secrets and the secret manager's store. */
export { AppSecrets, type AppSecretsArgs } from "./app-secrets";
export { SecretStore, type SecretStoreArgs } from "./secret-store";
