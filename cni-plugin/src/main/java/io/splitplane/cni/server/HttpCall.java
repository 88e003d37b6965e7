package io.splitplane.cni.server;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * One CNI call as it arrives over HTTP/1.1 from the launcher's {@code curl}: the {@code CNI_*}
 * variables as {@code CNI-*} headers ({@code CNI-ContainerID} is {@code CNI_CONTAINERID}), the network
 * config as a {@code Content-Length} body. One request per connection; anything else (another
 * method, chunked bodies, a missing length, oversized headers or body) is refused as malformed.
 *
 * @param environment the call's {@code CNI_*} variables
 * @param stdin       the body, what the plugin reads from stdin
 */
record HttpCall(Map<String, String> environment, byte[] stdin) {
    static final int MAX_HEAD = 16 * 1024;
    static final int MAX_BODY = 1024 * 1024;
    private static final byte[] CONTINUE = "HTTP/1.1 100 Continue\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

    /**
     * Reads one request. {@code out} is for the interim {@code 100 Continue} that curl waits for
     * before sending a larger body.
     *
     * @throws MalformedRequestException naming what is wrong
     */
    static HttpCall read(InputStream in, OutputStream out) throws IOException {
        String head = readHead(in);
        String[] lines = head.split("\r\n", -1);
        String[] requestLine = lines[0].split(" ", -1);
        if (requestLine.length != 3) {
            throw new MalformedRequestException("the request line '" + lines[0] + "' is not 'METHOD TARGET VERSION'");
        }
        if (!requestLine[0].equals("POST")) {
            throw new MalformedRequestException("method " + requestLine[0] + ": only POST carries a CNI call");
        }
        if (!requestLine[2].equals("HTTP/1.1") && !requestLine[2].equals("HTTP/1.0")) {
            throw new MalformedRequestException("protocol '" + requestLine[2] + "': only HTTP/1.1 is spoken here");
        }
        Map<String, String> env = new HashMap<>();
        long length = -1;
        boolean expectContinue = false;
        for (int i = 1; i < lines.length; i++) {
            String line = lines[i];
            int colon = line.indexOf(':');
            if (colon <= 0) {
                throw new MalformedRequestException("header line '" + line + "' has no name");
            }
            String name = line.substring(0, colon).strip();
            String value = line.substring(colon + 1).strip();
            String lower = name.toLowerCase(Locale.ROOT);
            if (lower.equals("content-length")) {
                try {
                    length = Long.parseLong(value);
                } catch (NumberFormatException e) {
                    throw new MalformedRequestException("Content-Length '" + value + "' is not a number");
                }
            } else if (lower.equals("transfer-encoding")) {
                throw new MalformedRequestException("Transfer-Encoding " + value + ": send the config with"
                        + " Content-Length");
            } else if (lower.equals("expect")) {
                expectContinue = value.equalsIgnoreCase("100-continue");
            } else if (lower.startsWith("cni-")) {
                String variable = "CNI_" + name.substring(4).toUpperCase(Locale.ROOT).replace('-', '_');
                if (env.put(variable, value) != null) {
                    throw new MalformedRequestException("header " + name + " appears twice");
                }
            }
        }
        if (length < 0) {
            throw new MalformedRequestException("no Content-Length: the network config is the request body");
        }
        if (length > MAX_BODY) {
            throw new MalformedRequestException("a body of " + length + " bytes; at most " + MAX_BODY);
        }
        if (expectContinue) {
            out.write(CONTINUE);
            out.flush();
        }
        byte[] body = in.readNBytes((int) length);
        if (body.length != length) {
            throw new MalformedRequestException("the body ended after " + body.length + " of " + length + " bytes");
        }
        return new HttpCall(Map.copyOf(env), body);
    }

    /** The request line and headers, without the blank line that ends them. */
    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream(512);
        int last4 = 0; // the last four bytes read, to spot the "\r\n\r\n" that ends the head
        while (last4 != 0x0d0a0d0a) {
            int b = in.read();
            if (b < 0) {
                throw new MalformedRequestException(head.size() == 0 ? "the connection closed without a request"
                        : "the connection closed inside the headers");
            }
            if (head.size() >= MAX_HEAD) {
                throw new MalformedRequestException("headers longer than " + MAX_HEAD + " bytes");
            }
            head.write(b);
            last4 = (last4 << 8) | b;
        }
        byte[] bytes = head.toByteArray();
        return new String(bytes, 0, bytes.length - 4, StandardCharsets.UTF_8);
    }

    /** Writes the one response of the connection. */
    static void respond(OutputStream out, int status, byte[] body) throws IOException {
        String reason = switch (status) {
            case 200 -> "OK";
            case 400 -> "Bad Request";
            case 500 -> "Internal Server Error";
            case 503 -> "Service Unavailable";
            default -> "Status";
        };
        String head = "HTTP/1.1 " + status + " " + reason + "\r\nContent-Type: application/json\r\nContent-Length: "
                + body.length + "\r\nConnection: close\r\n\r\n";
        out.write(head.getBytes(StandardCharsets.US_ASCII));
        out.write(body);
        out.flush();
    }
}
