package io.splitplane.bpf;

import io.splitplane.api.ConfigJson;
import io.splitplane.api.classifier.ClassifierRules;
import io.splitplane.kernel.netns.NetNamespace;
import java.nio.file.Path;

/**
 * The second process of {@link ClassifierCrossProcessTest}, as the CNI's DEL would be: reopens the
 * classifier pinned at {@code args[0]}, replaces its rules with the JSON in {@code args[2]}, prints
 * the rule names and the counters of rule "dns", detaches inside network namespace {@code args[1]}
 * and unpins. Exit status 0 on success.
 */
public final class PinnedClassifierProcess {
    private PinnedClassifierProcess() {
    }

    public static void main(String[] args) {
        Path dir = Path.of(args[0]);
        try (Classifier classifier = Classifier.openPinned(dir); NetNamespace ns = NetNamespace.open(args[1])) {
            System.out.println("attached " + classifier.attachedMode().orElseThrow());
            System.out.println("dns before " + classifier.counters().rule("dns").packets());
            classifier.replaceRules(ConfigJson.read(args[2], ClassifierRules.class, "argument"));
            System.out.println("rules " + classifier.ruleNames());
            ns.run(classifier::detach);
            classifier.unpin();
            System.out.println("detached and unpinned");
        }
    }
}
