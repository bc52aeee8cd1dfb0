//! Turning SDK errors into diagnostics a user can act on.

use atlas_admin_sdk::{Client, Error};
use tfplugin::diagnostics::Diagnostic;

/// The summary of every diagnostic for a call that Terraform interrupted (Ctrl-C).
pub const CANCELLED: &str = "Operation cancelled";

/// A diagnostic for a failed API call. `what` says what we were doing ("creating project x").
/// Authentication failures and unreachable servers name the base URL, never a secret.
pub fn api_error(client: &Client, what: &str, err: &Error) -> Diagnostic {
    let base = client.base_url();
    if let Error::Cancelled { operation } = err {
        let detail = if operation == what {
            String::new()
        } else {
            format!(" ({operation})")
        };
        return Diagnostic::error(
            CANCELLED,
            format!(
                "Terraform asked the provider to stop while {what}{detail}. A request already sent may still complete in Atlas; the next plan shows what exists."
            ),
        );
    }
    if err.is_unauthorized() {
        return Diagnostic::error(
            format!("Authentication failed while {what}"),
            format!(
                "The Atlas API at {base} rejected the credentials: {err}. Check the provider credentials (public_key/private_key, client_id/client_secret or access_token, or their MONGODB_ATLAS_* environment variables) and that they have access to this resource."
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
