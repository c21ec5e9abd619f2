package dev.hark.runtime.http;

import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

/**
 * HTTPS from PEM files, as certificate authorities and {@code openssl} issue them.
 *
 * @param certificateChain the server's certificate, then any intermediates, PEM ({@code BEGIN CERTIFICATE})
 * @param privateKey its private key, unencrypted PKCS#8 PEM ({@code BEGIN PRIVATE KEY}; RSA or EC);
 *     {@code openssl pkcs8 -topk8 -nocrypt -in key.pem} converts an older {@code BEGIN RSA PRIVATE KEY}
 */
public record TlsSettings(Path certificateChain, Path privateKey) {

    public TlsSettings {
        Objects.requireNonNull(certificateChain, "certificateChain");
        Objects.requireNonNull(privateKey, "privateKey");
    }

    /**
     * Reads both files into a server context (the JDK's TLS, TLS 1.2 and 1.3).
     *
     * @throws IllegalArgumentException naming the file and what is wrong with it
     */
    SslContext serverContext() {
        for (Path file : new Path[] {certificateChain, privateKey}) {
            if (!Files.isReadable(file)) {
                throw new IllegalArgumentException("TLS file " + file + " does not exist or cannot be read");
            }
        }
        try {
            return SslContextBuilder.forServer(certificateChain.toFile(), privateKey.toFile())
                    .protocols("TLSv1.3", "TLSv1.2")
                    .build();
        } catch (Exception e) { // SSLException, or IllegalArgumentException for keys Netty cannot read
            Throwable cause = e.getCause() != null
                            && e.getMessage() != null
                            && e.getMessage().contains("File")
                    ? e.getCause()
                    : e;
            throw new IllegalArgumentException(
                    "cannot use TLS certificate " + certificateChain + " with key " + privateKey
                            + ": " + cause.getMessage()
                            + " (the certificate must be PEM, the key unencrypted PKCS#8 PEM"
                            + " matching it: BEGIN PRIVATE KEY)",
                    e);
        }
    }
}
