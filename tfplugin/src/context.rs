//! What every resource and data source call receives besides its request.

use crate::diagnostics::{Diagnostic, Diagnostics};
use std::sync::Mutex;
use tokio_util::sync::CancellationToken;

/// The configured provider client, a cancellation signal (Terraform's StopProvider, i.e.
/// Ctrl-C) and a place for warnings. Errors travel in `Err(Diagnostics)` instead.
pub struct Context<C> {
    client: C,
    cancel: CancellationToken,
    warnings: Mutex<Diagnostics>,
}

impl<C> Context<C> {
    pub fn new(client: C, cancel: CancellationToken) -> Self {
        Context {
            client,
            cancel,
            warnings: Mutex::new(Diagnostics::new()),
        }
    }

    pub fn client(&self) -> &C {
        &self.client
    }

    /// Cancelled when Terraform asks the provider to stop; long waits should select on it.
    pub fn cancellation(&self) -> &CancellationToken {
        &self.cancel
    }

    pub fn warn(&self, diagnostic: Diagnostic) {
        if let Ok(mut w) = self.warnings.lock() {
            w.push(diagnostic);
        }
    }

    pub fn take_warnings(&self) -> Diagnostics {
        match self.warnings.lock() {
            Ok(mut w) => std::mem::take(&mut *w),
            Err(_) => Diagnostics::new(),
        }
    }
}
