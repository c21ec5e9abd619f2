package dev.hark.runtime.http;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;
import java.util.List;

/**
 * Browser-origin defences of a server that usually listens on loopback. A web page the user visits
 * can make the browser send requests to {@code 127.0.0.1}: a cross-site request carries an
 * {@code Origin} (and {@code Sec-Fetch-Site: cross-site}), and a DNS-rebinding page makes the
 * browser send its own name as {@code Host}. So a request is refused when its {@code Host} is not an
 * allowed name or an IP address literal (421), when {@code Sec-Fetch-Site} is {@code cross-site}, or
 * when its {@code Origin} is opaque ({@code null}) or names a host that is not allowed (403).
 * Non-browser clients send no {@code Origin}; a request without {@code Host} (HTTP/1.0) passes.
 * Allocation-free on the way through: it runs for every request.
 */
final class HostRules {

    static final String HOST = "host_not_allowed";
    static final String ORIGIN = "cross_origin_refused";
    static final String CROSS_SITE = "cross_site_refused";

    private static final AsciiString SEC_FETCH_SITE = AsciiString.cached("sec-fetch-site");

    private final String[] names;
    private final boolean any;

    HostRules(List<String> allowed) {
        this.any = allowed.contains("*");
        this.names = allowed.toArray(String[]::new);
    }

    /** @return null if the request may pass, else the error code of its refusal */
    String refusal(HttpHeaders headers) {
        String host = headers.get(HttpHeaderNames.HOST);
        if (host != null && !allowed(host, 0, hostEnd(host, 0))) {
            return HOST;
        }
        String site = headers.get(SEC_FETCH_SITE);
        if (site != null && site.equalsIgnoreCase("cross-site")) {
            return CROSS_SITE;
        }
        String origin = headers.get(HttpHeaderNames.ORIGIN);
        if (origin != null) {
            int scheme = origin.indexOf("://");
            if (scheme < 0) {
                return ORIGIN; // "null": a sandboxed frame, a file, a redirect across origins
            }
            int start = scheme + 3;
            if (!allowed(origin, start, hostEnd(origin, start))) {
                return ORIGIN;
            }
        }
        return null;
    }

    String message(String refusal, HttpHeaders headers) {
        return switch (refusal) {
            case HOST ->
                "the Host header '" + headers.get(HttpHeaderNames.HOST) + "' is not a name this server answers"
                        + " to; allowed: " + String.join(", ", names) + " and IP addresses";
            case CROSS_SITE -> "cross-site requests from a browser are refused";
            default -> "requests from the origin '" + headers.get(HttpHeaderNames.ORIGIN) + "' are refused";
        };
    }

    /** @return the end of the host in {@code value} from {@code start}: before a port, a path or the end; -1 if malformed */
    private static int hostEnd(String value, int start) {
        if (start < value.length() && value.charAt(start) == '[') {
            int close = value.indexOf(']', start);
            return close < 0 ? -1 : close + 1;
        }
        int end = start;
        while (end < value.length()) {
            char c = value.charAt(end);
            if (c == ':' || c == '/') {
                break;
            }
            end++;
        }
        return end;
    }

    private boolean allowed(String value, int start, int end) {
        if (end <= start) {
            return false;
        }
        if (end < value.length()) { // only a port (and, in an origin, nothing else) may follow
            char next = value.charAt(end);
            if (next != ':' && next != '/') {
                return false;
            }
        }
        if (any || value.charAt(start) == '[' || isIpv4(value, start, end)) {
            return true;
        }
        int length = end - start;
        for (String name : names) {
            if (name.length() == length && value.regionMatches(true, start, name, 0, length)) {
                return true;
            }
        }
        return false;
    }

    /** An IP address literal cannot be a rebinding attacker's name: the page would be on that address itself. */
    private static boolean isIpv4(String value, int start, int end) {
        int dots = 0;
        int digits = 0;
        for (int i = start; i < end; i++) {
            char c = value.charAt(i);
            if (c == '.') {
                if (digits == 0) {
                    return false;
                }
                dots++;
                digits = 0;
            } else if (c >= '0' && c <= '9' && digits < 3) {
                digits++;
            } else {
                return false;
            }
        }
        return dots == 3 && digits > 0;
    }
}
