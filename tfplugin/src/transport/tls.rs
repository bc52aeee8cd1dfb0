//! go-plugin AutoMTLS: our self-signed server certificate and a client verifier pinned to the
//! certificate Terraform passes in `PLUGIN_CLIENT_CERT`.
//!
//! rustls' WebPKI client verifier cannot be used: Terraform's client certificate is a
//! self-signed P-521 certificate flagged as a CA, which WebPKI refuses as an end entity
//! (`CaUsedAsEndEntity`). Go's server side simply requires that exact certificate, so we pin
//! its DER and only check the handshake signatures ourselves.

use std::sync::Arc;

use rustls::client::danger::HandshakeSignatureValid;
use rustls::crypto::{CryptoProvider, WebPkiSupportedAlgorithms};
use rustls::server::danger::{ClientCertVerified, ClientCertVerifier};
use rustls::{CertificateError, DigitallySignedStruct, DistinguishedName, SignatureScheme};
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer, UnixTime};

use super::TransportError;

/// A freshly generated server identity.
pub(crate) struct ServerIdentity {
    pub(crate) cert_der: CertificateDer<'static>,
    pub(crate) key_der: PrivateKeyDer<'static>,
}

/// Generates the per-process server certificate: self-signed, P-256, not a CA, SAN DNS
/// `localhost` (the name Terraform's TLS client expects), EKU serverAuth.
pub(crate) fn generate_server_identity() -> Result<ServerIdentity, TransportError> {
    let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256)?;
    let mut params = rcgen::CertificateParams::new(vec!["localhost".to_owned()])?;
    params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "localhost");
    params.is_ca = rcgen::IsCa::NoCa;
    params.key_usages = vec![
        rcgen::KeyUsagePurpose::DigitalSignature,
        rcgen::KeyUsagePurpose::KeyEncipherment,
    ];
    params.extended_key_usages = vec![rcgen::ExtendedKeyUsagePurpose::ServerAuth];
    let cert = params.self_signed(&key)?;
    Ok(ServerIdentity {
        cert_der: cert.der().clone(),
        key_der: PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der())),
    })
}

/// Parses the first certificate of a PEM document (the `PLUGIN_CLIENT_CERT` value).
pub(crate) fn parse_client_cert_pem(pem: &str) -> Result<CertificateDer<'static>, TransportError> {
    CertificateDer::from_pem_slice(pem.as_bytes())
        .map_err(|e| TransportError::ClientCert(e.to_string()))
}

/// Accepts exactly one client certificate, byte for byte, and nothing else.
#[derive(Debug)]
pub struct PinnedClientCertVerifier {
    pinned: CertificateDer<'static>,
    algorithms: WebPkiSupportedAlgorithms,
}

impl PinnedClientCertVerifier {
    /// `algorithms` must come from a provider that can verify ECDSA P-521 (aws-lc-rs can,
    /// ring cannot): Go only sends its P-521 certificate if the server offers that scheme.
    pub fn new(pinned: CertificateDer<'static>, provider: &CryptoProvider) -> Self {
        Self {
            pinned,
            algorithms: provider.signature_verification_algorithms,
        }
    }
}

impl ClientCertVerifier for PinnedClientCertVerifier {
    fn offer_client_auth(&self) -> bool {
        true
    }

    fn client_auth_mandatory(&self) -> bool {
        true
    }

    fn root_hint_subjects(&self) -> &[DistinguishedName] {
        // No hints: Go's client sends its only certificate regardless.
        &[]
    }

    fn verify_client_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _now: UnixTime,
    ) -> Result<ClientCertVerified, rustls::Error> {
        if end_entity.as_ref() == self.pinned.as_ref() {
            Ok(ClientCertVerified::assertion())
        } else {
            Err(rustls::Error::InvalidCertificate(
                CertificateError::ApplicationVerificationFailure,
            ))
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.algorithms.supported_schemes()
    }
}

/// Builds the rustls server configuration for AutoMTLS.
pub(crate) fn server_config(
    identity: &ServerIdentity,
    client_cert: CertificateDer<'static>,
) -> Result<rustls::ServerConfig, TransportError> {
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let verifier = Arc::new(PinnedClientCertVerifier::new(client_cert, &provider));
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .with_client_cert_verifier(verifier)
        .with_single_cert(
            vec![identity.cert_der.clone()],
            identity.key_der.clone_key(),
        )?;
    // grpc-go >= 1.67 (Terraform 1.12+, OpenTofu 1.11) insists on ALPN h2.
    config.alpn_protocols = vec![b"h2".to_vec()];
    Ok(config)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p521_ca_cert() -> CertificateDer<'static> {
        // Shaped like go-plugin's client certificate: P-521, self-signed, CA.
        let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P521_SHA512)
            .expect("P-521 key generation");
        let mut params =
            rcgen::CertificateParams::new(vec!["localhost".to_owned()]).expect("params");
        params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        params.self_signed(&key).expect("self-signed").der().clone()
    }

    #[test]
    fn verifier_accepts_only_the_pinned_certificate() {
        let pinned = p521_ca_cert();
        let other = p521_ca_cert();
        let provider = rustls::crypto::aws_lc_rs::default_provider();
        let verifier = PinnedClientCertVerifier::new(pinned.clone(), &provider);

        assert!(verifier.client_auth_mandatory());
        assert!(verifier.root_hint_subjects().is_empty());
        assert!(verifier
            .verify_client_cert(&pinned, &[], UnixTime::now())
            .is_ok());
        assert!(verifier
            .verify_client_cert(&other, &[], UnixTime::now())
            .is_err());
        assert!(verifier
            .supported_verify_schemes()
            .contains(&SignatureScheme::ECDSA_NISTP521_SHA512));
    }

    #[test]
    fn pem_round_trip_and_server_config() {
        let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P521_SHA512).expect("key");
        let params = rcgen::CertificateParams::new(vec!["localhost".to_owned()]).expect("params");
        let cert = params.self_signed(&key).expect("cert");
        let parsed = parse_client_cert_pem(&cert.pem()).expect("parse PEM");
        assert_eq!(parsed.as_ref(), cert.der().as_ref());
        assert!(parse_client_cert_pem("not a pem").is_err());

        let identity = generate_server_identity().expect("identity");
        let config = server_config(&identity, parsed).expect("server config");
        assert_eq!(config.alpn_protocols, vec![b"h2".to_vec()]);
    }
}
