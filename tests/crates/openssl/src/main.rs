//! Uses both of OpenSSL's libraries: a TLS context (libssl) and its version (libcrypto).
fn main() {
    let ctx = openssl::ssl::SslContext::builder(openssl::ssl::SslMethod::tls_client())
        .expect("an SSL context")
        .build();
    println!("{} {}", openssl::version::version(), ctx.verify_mode().bits());
}
