package io.splitplane.operator.rbac;

import io.fabric8.mockwebserver.http.RecordedRequest;
import io.quarkus.test.kubernetes.client.KubernetesServer;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Every request the operator sent to the mock API server during the suite. The tests' own client sends
 * {@link #TEST_USER_AGENT} and is left out: only what the operator does needs a grant.
 */
public final class RecordedRequests {
    public static final String TEST_USER_AGENT = "splitplane-test";
    private static final Set<ApiRequest> OPERATOR = new LinkedHashSet<>();

    private RecordedRequests() {
    }

    /** Moves what the server recorded since the last call into the suite's set. */
    public static synchronized void drain(KubernetesServer server) throws InterruptedException {
        RecordedRequest r;
        while ((r = server.getKubernetesMockServer().takeRequest(1, TimeUnit.MILLISECONDS)) != null) {
            String agent = r.getHeader("User-Agent");
            if (agent != null && agent.startsWith(TEST_USER_AGENT)) {
                continue;
            }
            ApiRequest request = ApiRequest.parse(r.getMethod(), r.getPath());
            if (request != null) {
                OPERATOR.add(request);
            }
        }
    }

    public static synchronized Set<ApiRequest> operator() {
        return Set.copyOf(OPERATOR);
    }
}
