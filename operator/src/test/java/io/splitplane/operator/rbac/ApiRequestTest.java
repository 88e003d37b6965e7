package io.splitplane.operator.rbac;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

/** The RBAC check is only as good as its reading of request paths. */
class ApiRequestTest {
    @Test
    void readsPathsAsRbacDoes() {
        assertEquals(new ApiRequest("list", "", "nodes", null), ApiRequest.parse("GET", "/api/v1/nodes"));
        assertEquals(new ApiRequest("watch", "", "nodes", null),
                ApiRequest.parse("GET", "/api/v1/nodes?allowWatchBookmarks=true&watch=true"));
        assertEquals(new ApiRequest("get", "apps", "daemonsets", "ns"),
                ApiRequest.parse("GET", "/apis/apps/v1/namespaces/ns/daemonsets/dp"));
        assertEquals(new ApiRequest("patch", "splitplane.io", "xdppools/status", null),
                ApiRequest.parse("PATCH", "/apis/splitplane.io/v1alpha1/xdppools/fast/status"));
        assertEquals(new ApiRequest("create", "", "configmaps", "demo"),
                ApiRequest.parse("POST", "/api/v1/namespaces/demo/configmaps"));
        assertEquals(new ApiRequest("update", "k8s.cni.cncf.io", "network-attachment-definitions", "d"),
                ApiRequest.parse("PUT", "/apis/k8s.cni.cncf.io/v1/namespaces/d/network-attachment-definitions/n"));
        assertEquals(new ApiRequest("delete", "", "namespaces", null), ApiRequest.parse("DELETE", "/api/v1/namespaces/x"));
        assertEquals(new ApiRequest("deletecollection", "", "configmaps", "x"),
                ApiRequest.parse("DELETE", "/api/v1/namespaces/x/configmaps"));
        assertNull(ApiRequest.parse("GET", "/version"));
        assertNull(ApiRequest.parse("GET", "/apis"));
        assertEquals("patch splitplane.io/xdppools/status",
                ApiRequest.parse("PATCH", "/apis/splitplane.io/v1alpha1/xdppools/fast/status").permission());
    }
}
