package io.splitplane.operator.rbac;

import java.net.URI;
import java.util.Arrays;

/**
 * One request to the API server as RBAC sees it: verb, API group, resource (with subresource) and
 * namespace. Parsed from the method and path the mock server recorded.
 *
 * @param namespace the request's namespace, or null for cluster-wide requests
 */
public record ApiRequest(String verb, String group, String resource, String namespace) {

    /** RBAC's view of {@code method path?query}, or null for a path that is not a resource (discovery). */
    public static ApiRequest parse(String method, String pathAndQuery) {
        URI uri = URI.create(pathAndQuery);
        String[] parts = Arrays.stream(uri.getPath().split("/")).filter(s -> !s.isEmpty()).toArray(String[]::new);
        int i;
        String group;
        if (parts.length >= 2 && parts[0].equals("api")) {
            group = "";
            i = 2;
        } else if (parts.length >= 3 && parts[0].equals("apis")) {
            group = parts[1];
            i = 3;
        } else {
            return null;
        }
        String namespace = null;
        if (parts.length > i + 1 && parts[i].equals("namespaces")) {
            namespace = parts[i + 1];
            i += 2;
            if (parts.length == i) {
                // "/api/v1/namespaces/x" is the namespace object itself.
                return new ApiRequest(verb(method, true, uri.getQuery()), group, "namespaces", null);
            }
        }
        if (parts.length <= i) {
            return null;
        }
        String resource = parts[i];
        boolean item = parts.length > i + 1;
        if (parts.length > i + 2) {
            resource = resource + "/" + parts[i + 2];
        }
        return new ApiRequest(verb(method, item, uri.getQuery()), group, resource, namespace);
    }

    private static String verb(String method, boolean item, String query) {
        return switch (method) {
            case "GET" -> item ? "get" : query != null && query.contains("watch=true") ? "watch" : "list";
            case "POST" -> "create";
            case "PUT" -> "update";
            case "PATCH" -> "patch";
            case "DELETE" -> item ? "delete" : "deletecollection";
            default -> throw new IllegalArgumentException("unexpected method " + method + " " + query);
        };
    }

    /** The permission without the namespace: what a ClusterRole rule grants. */
    public String permission() {
        return verb + " " + (group.isEmpty() ? "core" : group) + "/" + resource;
    }
}
