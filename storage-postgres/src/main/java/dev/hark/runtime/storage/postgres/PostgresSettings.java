package dev.hark.runtime.storage.postgres;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Function;

/**
 * Where the PostgreSQL store connects, and as whom.
 *
 * <p>The password never sits in the URL, which is printed in logs, shown by {@code ps} and kept in
 * shell histories: it comes from the environment ({@value #PASSWORD_VARIABLE}) or from a file
 * ({@value #PASSWORD_FILE_VARIABLE}, say a mounted secret).
 *
 * @param jdbcUrl a {@code jdbc:postgresql:} URL without credentials
 * @param user the database user, or null for the driver's default (the OS user)
 * @param password the password, or null for none (trust, peer or certificate authentication)
 */
public record PostgresSettings(String jdbcUrl, String user, String password) {

    public static final String URL_PREFIX = "jdbc:postgresql:";
    public static final String USER_VARIABLE = "HARK_PG_USER";
    public static final String PASSWORD_VARIABLE = "HARK_PG_PASSWORD";
    public static final String PASSWORD_FILE_VARIABLE = "HARK_PG_PASSWORD_FILE";

    /** @throws IllegalArgumentException for a URL that is not PostgreSQL's or carries a password */
    public PostgresSettings {
        Objects.requireNonNull(jdbcUrl, "jdbcUrl");
        checkUrl(jdbcUrl);
    }

    /** @return whether {@code store} names a PostgreSQL database rather than a folder */
    public static boolean isPostgresUrl(String store) {
        return store != null && store.startsWith(URL_PREFIX);
    }

    /**
     * Settings for {@code jdbcUrl} with the credentials of the environment: the user from
     * {@value #USER_VARIABLE}, the password from {@value #PASSWORD_VARIABLE} or else from the file
     * named by {@value #PASSWORD_FILE_VARIABLE} (its content, less a trailing line break).
     *
     * @throws IllegalArgumentException for a bad URL, both password variables, or an unreadable file
     */
    public static PostgresSettings fromEnvironment(String jdbcUrl, Function<String, String> environment) {
        Objects.requireNonNull(jdbcUrl, "jdbcUrl");
        checkUrl(jdbcUrl);
        String user = blankToNull(environment.apply(USER_VARIABLE));
        String password = environment.apply(PASSWORD_VARIABLE);
        String passwordFile = blankToNull(environment.apply(PASSWORD_FILE_VARIABLE));
        if (password != null && !password.isEmpty() && passwordFile != null) {
            throw new IllegalArgumentException(
                    "both " + PASSWORD_VARIABLE + " and " + PASSWORD_FILE_VARIABLE + " are set; set one of them");
        }
        if (passwordFile != null) {
            password = readPasswordFile(Path.of(passwordFile));
        }
        return new PostgresSettings(jdbcUrl, user, password == null || password.isEmpty() ? null : password);
    }

    private static String readPasswordFile(Path file) {
        try {
            String content = Files.readString(file, StandardCharsets.UTF_8);
            return content.endsWith("\r\n")
                    ? content.substring(0, content.length() - 2)
                    : content.endsWith("\n") ? content.substring(0, content.length() - 1) : content;
        } catch (IOException e) {
            throw new IllegalArgumentException(
                    "cannot read the PostgreSQL password file " + file + " (" + PASSWORD_FILE_VARIABLE + "): " + e, e);
        }
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value.strip();
    }

    private static void checkUrl(String url) {
        if (!url.startsWith(URL_PREFIX)) {
            throw new IllegalArgumentException(
                    "not a PostgreSQL JDBC URL (expected " + URL_PREFIX + "//HOST[:PORT]/DATABASE)");
        }
        String rest = url.substring(URL_PREFIX.length());
        int query = rest.indexOf('?');
        String address = query < 0 ? rest : rest.substring(0, query);
        if (address.startsWith("//")) {
            int slash = address.indexOf('/', 2);
            String authority = slash < 0 ? address.substring(2) : address.substring(2, slash);
            if (authority.contains("@")) {
                throw new IllegalArgumentException(
                        "the PostgreSQL URL must not carry credentials (USER:PASSWORD@); set " + USER_VARIABLE + " and "
                                + PASSWORD_VARIABLE + " or " + PASSWORD_FILE_VARIABLE + " instead");
            }
        }
        if (query >= 0) {
            for (String parameter : rest.substring(query + 1).split("&")) {
                String name = parameter.split("=", 2)[0].strip().toLowerCase(Locale.ROOT);
                if (name.equals("password")) {
                    throw new IllegalArgumentException("the PostgreSQL URL must not carry a password (it would show in"
                            + " logs and process lists); set " + PASSWORD_VARIABLE + " or " + PASSWORD_FILE_VARIABLE
                            + " instead");
                }
            }
        }
    }

    /** @return the URL, for messages: it holds no secret */
    @Override
    public String toString() {
        return jdbcUrl + (user == null ? "" : " as " + user);
    }
}
