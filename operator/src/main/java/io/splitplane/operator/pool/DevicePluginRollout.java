package io.splitplane.operator.pool;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.splitplane.api.ConfigJson;
import io.splitplane.api.InvalidConfigException;
import io.splitplane.operator.ManagedLabels;
import io.splitplane.operator.OperatorSettings;
import io.splitplane.operator.RenderedHash;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jboss.logging.Logger;

/**
 * Brings the one device-plugin ConfigMap and DaemonSet in line with the set of XdpPools.
 *
 * <p>Not a JOSDK dependent resource: a dependent belongs to one primary, while these two objects are
 * rendered from all pools at once. Every pool's reconciliation renders the whole set, so the result does
 * not depend on which pool changed; calls are serialised because pools reconcile in parallel. Objects
 * are rewritten only when their rendered hash changes, and updated in place: the device plugin reloads
 * the changed config file itself, and the DaemonSet changes only when the pools' nodes do.
 */
@ApplicationScoped
public class DevicePluginRollout {
    private static final Logger LOG = Logger.getLogger(DevicePluginRollout.class);

    private final KubernetesClient client;
    private final OperatorSettings settings;

    public DevicePluginRollout(KubernetesClient client, OperatorSettings settings) {
        this.client = client;
        this.settings = settings;
    }

    /**
     * Renders from {@code pools} (the pools that exist and are not being deleted) and applies it: with
     * no acceptable pool, the DaemonSet and ConfigMap are deleted.
     *
     * @return the pools that were left out, with why
     */
    public synchronized Map<String, InvalidConfigException> apply(List<XdpPool> pools) {
        DevicePluginConfigRenderer.Result result = DevicePluginConfigRenderer.render(pools);
        String ns = settings.namespace();
        if (result.config() == null) {
            if (client.apps().daemonSets().inNamespace(ns).withName(DevicePluginDaemonSet.NAME).get() != null) {
                client.apps().daemonSets().inNamespace(ns).withName(DevicePluginDaemonSet.NAME).delete();
                LOG.infof("no pool left: deleted DaemonSet %s/%s", ns, DevicePluginDaemonSet.NAME);
            }
            if (client.configMaps().inNamespace(ns).withName(DevicePluginDaemonSet.CONFIG_MAP).get() != null) {
                client.configMaps().inNamespace(ns).withName(DevicePluginDaemonSet.CONFIG_MAP).delete();
            }
            return result.rejected();
        }
        String json = ConfigJson.write(result.config());
        String hash = RenderedHash.of(json);
        OwnerReference owner = owner();

        ConfigMap cm = new ConfigMapBuilder()
                .withNewMetadata().withName(DevicePluginDaemonSet.CONFIG_MAP).withNamespace(ns)
                .withLabels(ManagedLabels.of(DevicePluginDaemonSet.COMPONENT, DevicePluginDaemonSet.NAME))
                .addToAnnotations(ManagedLabels.RENDERED_HASH, hash).endMetadata()
                .withData(Map.of(DevicePluginDaemonSet.CONFIG_KEY, json)).build();
        List<XdpPool> accepted = pools.stream()
                .filter(p -> !result.rejected().containsKey(p.getMetadata().getName())).toList();
        DaemonSet ds = DevicePluginDaemonSet.desired(settings, accepted);
        ds.getMetadata().getAnnotations().put(ManagedLabels.RENDERED_HASH,
                RenderedHash.of(Serialization.asJson(ds.getSpec())));
        // The ConfigMap first: pods a DaemonSet change starts must find the new config.
        write(client.configMaps().inNamespace(ns).withName(DevicePluginDaemonSet.CONFIG_MAP).get(), cm, owner);
        write(client.apps().daemonSets().inNamespace(ns).withName(DevicePluginDaemonSet.NAME).get(), ds, owner);
        return result.rejected();
    }

    private void write(HasMetadata existing, HasMetadata desired, OwnerReference owner) {
        if (owner != null) {
            desired.getMetadata().setOwnerReferences(List.of(owner));
        }
        if (existing == null) {
            client.resource(desired).create();
            LOG.infof("created %s %s/%s", desired.getKind(), desired.getMetadata().getNamespace(),
                    desired.getMetadata().getName());
            return;
        }
        String before = existing.getMetadata().getAnnotations() == null ? null
                : existing.getMetadata().getAnnotations().get(ManagedLabels.RENDERED_HASH);
        String after = desired.getMetadata().getAnnotations().get(ManagedLabels.RENDERED_HASH);
        if (Objects.equals(before, after)
                && Objects.equals(existing.getMetadata().getOwnerReferences(), desired.getMetadata().getOwnerReferences())) {
            return;
        }
        desired.getMetadata().setResourceVersion(existing.getMetadata().getResourceVersion());
        client.resource(desired).update();
        LOG.infof("updated %s %s/%s", desired.getKind(), desired.getMetadata().getNamespace(),
                desired.getMetadata().getName());
    }

    /** The operator's Deployment as owner, or null when not configured or not (yet) found. */
    private OwnerReference owner() {
        String name = settings.ownerDeployment().orElse(null);
        if (name == null || name.isEmpty()) {
            return null;
        }
        Deployment d = client.apps().deployments().inNamespace(settings.namespace()).withName(name).get();
        if (d == null) {
            LOG.warnf("owner Deployment %s/%s not found: the device plugin's objects get no owner",
                    settings.namespace(), name);
            return null;
        }
        return new OwnerReferenceBuilder().withApiVersion("apps/v1").withKind("Deployment").withName(name)
                .withUid(d.getMetadata().getUid()).withBlockOwnerDeletion(false).withController(false).build();
    }
}
