package io.splitplane.api.cni;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonAnySetter;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import io.splitplane.api.InvalidConfigException;
import io.splitplane.api.classifier.ClassifierRules;
import io.splitplane.api.handover.XskMapPaths;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The network configuration of the {@code splitplane} CNI plugin: the plugin object the operator
 * renders into a NetworkAttachmentDefinition, and the request configuration the plugin reads on stdin
 * (the same object plus what the runtime and Multus inject).
 *
 * <p>Strict like every splitplane contract: an unknown key is an error naming it, except keys under
 * the runtime's reserved {@code cni.dev/} prefix, which are kept in {@link #reserved()}.
 *
 * @param cniVersion       the CNI spec version of this config (the runtime's choice on stdin)
 * @param cniVersions      the versions a config list supports (CNI 1.1), or null
 * @param name             the network name: {@code [A-Za-z0-9][A-Za-z0-9_.-]*}
 * @param type             the plugin binary, {@value #TYPE}
 * @param capabilities     capabilities the plugin declares in the NetworkAttachmentDefinition, e.g.
 *                         {@code {"deviceID": true}}; the runtime never sends this on stdin
 * @param ipam             the IPAM delegate and its settings; null means no addresses
 * @param dns              DNS settings, passed through to the result as given
 * @param mtu              the MTU to set on the netdev in the pod, 68-65535; null keeps the netdev's
 * @param xdpAttach        how the classifier is attached; default {@link XdpAttach#NATIVE}
 * @param classifier       the classifier's rules; null or absent means none (everything to the kernel)
 * @param bpffsRoot        the bpffs directory holding one pin directory per netdev
 *                         ({@link XskMapPaths}); default {@value XskMapPaths#DEFAULT_BPFFS_ROOT}
 * @param stateDir         where the plugin keeps one state file per attachment and its lock; default
 *                         {@value #DEFAULT_STATE_DIR}
 * @param logFile          a file the plugin appends its log to; null means stderr
 * @param deviceID         the pool netdev's host name, injected by Multus (top-level key)
 * @param pciBusID         injected by Multus next to {@code deviceID}; not used by this plugin
 * @param runtimeConfig    capability arguments from the runtime; {@code deviceID} is read from here
 *                         when there is no top-level one
 * @param args             the {@code args} object, passed through
 * @param prevResult       the previous result (DEL, CHECK, or a chained ADD), as given
 * @param validAttachments GC: the attachments to keep ({@code cni.dev/valid-attachments})
 * @param attachments      GC: the same list under the name spec-v1.1.0 used ({@code cni.dev/attachments})
 * @param reserved         any other key under {@code cni.dev/}, as given
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record NetworkConfig(String cniVersion, List<String> cniVersions, String name, String type,
                            Map<String, Boolean> capabilities, IpamConfig ipam, JsonNode dns, Integer mtu,
                            XdpAttach xdpAttach, ClassifierRules classifier, String bpffsRoot, String stateDir,
                            String logFile, String deviceID, String pciBusID, RuntimeConfig runtimeConfig,
                            JsonNode args, JsonNode prevResult,
                            @JsonProperty(VALID_ATTACHMENTS) List<Attachment> validAttachments,
                            @JsonProperty(ATTACHMENTS) List<Attachment> attachments,
                            @JsonAnySetter @JsonAnyGetter Map<String, JsonNode> reserved) {
    /** The plugin's binary name. */
    public static final String TYPE = "splitplane";
    /** The newest CNI spec version, the one the operator writes. */
    public static final String CURRENT_VERSION = "1.1.0";
    public static final String DEFAULT_STATE_DIR = "/var/lib/cni/splitplane";
    public static final String VALID_ATTACHMENTS = "cni.dev/valid-attachments";
    public static final String ATTACHMENTS = "cni.dev/attachments";
    public static final String RESERVED_PREFIX = "cni.dev/";
    public static final int MIN_MTU = 68;
    public static final int MAX_MTU = 65535;
    private static final Pattern NAME = Pattern.compile("[a-zA-Z0-9][a-zA-Z0-9_.\\-]*");
    private static final Pattern VERSION = Pattern.compile("\\d+\\.\\d+\\.\\d+");
    private static final Pattern NETDEV = Pattern.compile("[!-~&&[^/:]]{1,15}");
    private static final List<String> KNOWN = List.of("args", "bpffsRoot", "capabilities", ATTACHMENTS,
            VALID_ATTACHMENTS, "classifier", "cniVersion", "cniVersions", "deviceID", "dns", "ipam", "logFile", "mtu",
            "name", "pciBusID", "prevResult", "runtimeConfig", "stateDir", "type", "xdpAttach");

    public NetworkConfig {
        if (cniVersion == null || cniVersion.isEmpty()) {
            throw InvalidConfigException.field("cniVersion", "must be set, e.g. \"" + CURRENT_VERSION + "\"");
        }
        if (!VERSION.matcher(cniVersion).matches()) {
            throw InvalidConfigException.field("cniVersion", "must be a version like \"" + CURRENT_VERSION
                    + "\", was '" + cniVersion + "'");
        }
        if (cniVersions != null) {
            for (int i = 0; i < cniVersions.size(); i++) {
                String v = cniVersions.get(i);
                if (v == null || !VERSION.matcher(v).matches()) {
                    throw InvalidConfigException.field("cniVersions[" + i + "]", "must be a version like \""
                            + CURRENT_VERSION + "\", was '" + v + "'");
                }
            }
            cniVersions = List.copyOf(cniVersions);
        }
        if (name == null || name.isEmpty()) {
            throw InvalidConfigException.field("name", "must be set");
        }
        if (!NAME.matcher(name).matches()) {
            throw InvalidConfigException.field("name", "must be letters, digits, '_', '.' or '-', starting with a"
                    + " letter or digit, was '" + name + "'");
        }
        if (type == null || type.isEmpty()) {
            throw InvalidConfigException.field("type", "must be set to \"" + TYPE + "\"");
        }
        if (capabilities != null) {
            capabilities = Collections.unmodifiableMap(new LinkedHashMap<>(capabilities));
        }
        if (mtu != null && (mtu < MIN_MTU || mtu > MAX_MTU)) {
            throw InvalidConfigException.field("mtu", "must be " + MIN_MTU + "-" + MAX_MTU + ", was " + mtu);
        }
        if (bpffsRoot != null) {
            requireAbsolute("bpffsRoot", bpffsRoot);
        }
        if (stateDir != null) {
            requireAbsolute("stateDir", stateDir);
        }
        if (logFile != null) {
            requireAbsolute("logFile", logFile);
        }
        if (deviceID != null) {
            requireNetdev("deviceID", deviceID);
        }
        if (runtimeConfig != null && runtimeConfig.deviceID() != null) {
            requireNetdev("runtimeConfig.deviceID", runtimeConfig.deviceID());
        }
        validAttachments = copyAttachments(VALID_ATTACHMENTS, validAttachments);
        attachments = copyAttachments(ATTACHMENTS, attachments);
        if (reserved == null) {
            reserved = Map.of();
        } else {
            for (String key : reserved.keySet()) {
                if (!key.startsWith(RESERVED_PREFIX)) {
                    throw InvalidConfigException.field(key, "unknown field '" + key + "' (known: " + KNOWN
                            + ", and keys under '" + RESERVED_PREFIX + "')");
                }
            }
            reserved = Collections.unmodifiableMap(new LinkedHashMap<>(reserved));
        }
    }

    /**
     * The plugin object the operator renders: type {@value #TYPE}, version {@value #CURRENT_VERSION},
     * capability {@code deviceID} declared so that Multus passes the device in {@code runtimeConfig} too.
     */
    public static NetworkConfig of(String name, IpamConfig ipam, ClassifierRules classifier) {
        return new NetworkConfig(CURRENT_VERSION, null, name, TYPE, Map.of("deviceID", true), ipam, null, null, null,
                classifier, null, null, null, null, null, null, null, null, null, null, null);
    }

    public NetworkConfig withMtu(Integer value) {
        return new NetworkConfig(cniVersion, cniVersions, name, type, capabilities, ipam, dns, value, xdpAttach,
                classifier, bpffsRoot, stateDir, logFile, deviceID, pciBusID, runtimeConfig, args, prevResult,
                validAttachments, attachments, reserved);
    }

    public NetworkConfig withXdpAttach(XdpAttach value) {
        return new NetworkConfig(cniVersion, cniVersions, name, type, capabilities, ipam, dns, mtu, value,
                classifier, bpffsRoot, stateDir, logFile, deviceID, pciBusID, runtimeConfig, args, prevResult,
                validAttachments, attachments, reserved);
    }

    /** The device to hand to the pod: top-level {@code deviceID} (Multus) first, then {@code runtimeConfig.deviceID}. */
    public Optional<String> device() {
        if (deviceID != null) {
            return Optional.of(deviceID);
        }
        return Optional.ofNullable(runtimeConfig == null ? null : runtimeConfig.deviceID());
    }

    /** The attach mode, {@link XdpAttach#NATIVE} when not given. */
    public XdpAttach effectiveXdpAttach() {
        return xdpAttach == null ? XdpAttach.NATIVE : xdpAttach;
    }

    /** The rules, none when not given. */
    public ClassifierRules effectiveClassifier() {
        return classifier == null ? ClassifierRules.none() : classifier;
    }

    /** Where the XSKMAP pins go. */
    public XskMapPaths pinPaths() {
        return new XskMapPaths(bpffsRoot == null ? null : Path.of(bpffsRoot));
    }

    /** The plugin's state directory. */
    public Path effectiveStateDir() {
        return Path.of(stateDir == null ? DEFAULT_STATE_DIR : stateDir);
    }

    /**
     * GC: the attachments to keep, from both keys the runtime may use (libcni sends both); null when the
     * request carries neither, which is not the same as an empty list (keep nothing).
     */
    public List<Attachment> attachmentsToKeep() {
        if (validAttachments == null && attachments == null) {
            return null;
        }
        List<Attachment> all = new ArrayList<>();
        if (validAttachments != null) {
            all.addAll(validAttachments);
        }
        if (attachments != null) {
            all.addAll(attachments);
        }
        return List.copyOf(all);
    }

    private static void requireAbsolute(String field, String path) {
        if (path.isEmpty() || !Path.of(path).isAbsolute()) {
            throw InvalidConfigException.field(field, "must be an absolute path, was '" + path + "'");
        }
    }

    private static void requireNetdev(String field, String netdev) {
        if (!NETDEV.matcher(netdev).matches() || netdev.equals(".") || netdev.equals("..")) {
            throw InvalidConfigException.field(field, "not a network device name (1-15 printable characters, no"
                    + " '/', ':' or space): '" + netdev + "'");
        }
    }

    private static List<Attachment> copyAttachments(String field, List<Attachment> list) {
        if (list == null) {
            return null;
        }
        for (int i = 0; i < list.size(); i++) {
            if (list.get(i) == null) {
                throw InvalidConfigException.field(field + "[" + i + "]", "must not be null");
            }
        }
        return List.copyOf(list);
    }
}
