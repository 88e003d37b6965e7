package io.splitplane.operator.status;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import java.time.Duration;
import java.util.function.Supplier;

/**
 * How a reconciler writes its status.
 *
 * <p>Only what changed is written: an unchanged status is not patched at all. A changed one is patched
 * with an object of name, namespace and status only: JOSDK (without server-side apply) sends the object
 * as a JSON merge patch to the status subresource, and a patch carrying the whole resource would carry
 * the spec this reconciliation started from too.
 *
 * <p>After a status patch the resource is looked at once more, shortly after. A user's edit that lands
 * while a reconciliation is running comes back in the patch's response, and JOSDK then takes the
 * edit's own watch event for an older version and drops it; the second look reconciles the edit, finds
 * the status unchanged when nothing else happened, and stops there.
 */
public final class StatusPatch {
    static final Duration LOOK_AGAIN = Duration.ofSeconds(1);

    private StatusPatch() {
    }

    /** The update for {@code status}: none when it equals the resource's current one. */
    public static <S, R extends CustomResource<?, S>> UpdateControl<R> update(R resource, S status, Supplier<R> empty) {
        if (resource.getStatus() != null && Serialization.asJson(resource.getStatus()).equals(Serialization.asJson(status))) {
            return UpdateControl.noUpdate();
        }
        return UpdateControl.patchStatus(of(resource, status, empty)).rescheduleAfter(LOOK_AGAIN);
    }

    /** An object of {@code resource}'s kind that carries its identity and {@code status}, nothing else. */
    public static <S, R extends CustomResource<?, S>> R of(R resource, S status, Supplier<R> empty) {
        R patch = empty.get();
        patch.setMetadata(new ObjectMetaBuilder().withName(resource.getMetadata().getName())
                .withNamespace(resource.getMetadata().getNamespace())
                .withUid(resource.getMetadata().getUid())
                .withGeneration(resource.getMetadata().getGeneration()).build());
        patch.setSpec(null);
        patch.setStatus(status);
        return patch;
    }
}
