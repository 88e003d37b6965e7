package io.splitplane.cni.server;

import java.io.IOException;

/** A request to the CNI server that is not the one HTTP/1.1 POST the launcher sends; answered with 400. */
final class MalformedRequestException extends IOException {
    MalformedRequestException(String message) {
        super(message);
    }
}
