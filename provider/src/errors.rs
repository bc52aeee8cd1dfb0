//! Turning SDK errors into diagnostics a user can act on.

use atlas_admin_sdk::{Client, Error};
use tfplugin::diagnostics::Diagnostic;

/// A diagnostic for a failed API call. `what` says what we were doing ("creating project x").
/// Authentication failures and unreachable servers name the base URL, never a secret.
pub fn api_error(client: &Client, what: &str, err: &Error) -> Diagnostic {
    let base = client.base_url();
    if err.is_unauthorized() {
        return Diagnostic::error(
            format!("Authentication failed while {what}"),
            format!(
                "The Atlas API at {base} rejected the credentials: {err}. Check public_key and private_key (or MONGODB_ATLAS_PUBLIC_KEY / MONGODB_ATLAS_PRIVATE_KEY) and that the key has access to this resource."
            ),
        );
    }
    if matches!(err, Error::Transport { .. }) {
        return Diagnostic::error(
            format!("Could not reach the Atlas API while {what}"),
            format!("{err}. Check base_url (or MONGODB_ATLAS_BASE_URL); it is {base}."),
        );
    }
    Diagnostic::error(format!("Error {what}"), err.to_string())
}
