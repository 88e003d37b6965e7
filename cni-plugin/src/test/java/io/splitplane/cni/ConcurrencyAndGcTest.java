package io.splitplane.cni;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.BiFunction;
import org.junit.jupiter.api.Test;

/** Several runtimes calls at once (the lock on shared state), and GC of attachments the runtime dropped. */
class ConcurrencyAndGcTest {

    @Test
    void concurrentAddsForDifferentContainersAllSucceedWithDistinctAddresses() {
        concurrentAddsAndDels(CniCall::run);
    }

    /**
     * Four ADDs for different containers at once, then their DELs, each call made by {@code call}
     * (a launcher exec'd per call here, the CNI server in ServedCallsTest): distinct leases, every
     * device in its pod with the classifier, and afterwards every device home with nothing left.
     */
    static void concurrentAddsAndDels(BiFunction<Map<String, String>, String, CniCall.Answer> call) {
        int n = 4;
        try (PoolFixture f = new PoolFixture(); ExecutorService pool = Executors.newFixedThreadPool(n)) {
            List<PoolFixture.Device> devices = new ArrayList<>();
            List<String> pods = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                devices.add(f.device());
                pods.add(f.pod());
            }
            List<CompletableFuture<CniCall.Answer>> adds = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                int k = i;
                adds.add(CompletableFuture.supplyAsync(() -> call.apply(CniCall.env("ADD", "c" + k, pods.get(k), "net1"),
                        f.config("1.1.0", devices.get(k).device()).toString()), pool));
            }
            Set<String> addresses = new HashSet<>();
            for (CompletableFuture<CniCall.Answer> a : adds) {
                addresses.add(a.join().ok().json().path("ips").get(0).path("address").asText());
            }
            assertEquals(n, addresses.size(), "distinct addresses: " + addresses);
            assertEquals(n, f.states().size());
            for (int i = 0; i < n; i++) {
                assertTrue(PoolFixture.link(PoolFixture.nsName(pods.get(i)), "net1").has("xdp"));
            }

            List<CompletableFuture<CniCall.Answer>> dels = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                int k = i;
                dels.add(CompletableFuture.supplyAsync(() -> call.apply(CniCall.env("DEL", "c" + k, pods.get(k), "net1"),
                        f.config("1.1.0", devices.get(k).device()).toString()), pool));
            }
            dels.forEach(d -> d.join().ok());
            devices.forEach(f::assertHome);
            assertEquals(List.of(), f.states());
            assertEquals(List.of(), f.leases());
            assertEquals(List.of(), f.pins());
        }
    }

    @Test
    void twoContainersRacingForOneDeviceGetItOnce() {
        try (PoolFixture f = new PoolFixture(); ExecutorService pool = Executors.newFixedThreadPool(2)) {
            PoolFixture.Device d = f.device();
            String podA = f.pod();
            String podB = f.pod();
            String config = f.config("1.1.0", d.device()).toString();
            CompletableFuture<CniCall.Answer> a = CompletableFuture.supplyAsync(
                    () -> CniCall.run(CniCall.env("ADD", "a", podA, "net1"), config), pool);
            CompletableFuture<CniCall.Answer> b = CompletableFuture.supplyAsync(
                    () -> CniCall.run(CniCall.env("ADD", "b", podB, "net1"), config), pool);
            List<CniCall.Answer> answers = List.of(a.join(), b.join());
            long won = answers.stream().filter(x -> x.exit() == 0).count();
            assertEquals(1, won, "exactly one ADD wins: " + answers);
            CniCall.Answer lost = answers.stream().filter(x -> x.exit() != 0).findFirst().orElseThrow();
            assertEquals(CniException.DEVICE_IN_USE, lost.code(), lost.toString());
            assertEquals(1, f.leases().size(), "the loser holds no lease: " + f.leases());
            String winner = answers.get(0).exit() == 0 ? "a" : "b";
            String winnerPod = winner.equals("a") ? podA : podB;
            CniCall.run(CniCall.env("DEL", winner, winnerPod, "net1"), config).ok();
            f.assertHome(d);
        }
    }

    @Test
    void gcRemovesOnlyTheAttachmentsNoLongerValid() {
        try (PoolFixture f = new PoolFixture()) {
            PoolFixture.Device kept = f.device();
            PoolFixture.Device dropped = f.device();
            String podKept = f.pod();
            String podDropped = f.pod();
            ObjectNode keptConfig = f.config("1.1.0", kept.device());
            JsonNode keptResult = CniCall.run(CniCall.env("ADD", "kept", podKept, "net1"), keptConfig.toString()).ok().json();
            CniCall.run(CniCall.env("ADD", "dropped", podDropped, "net1"),
                    f.config("1.1.0", dropped.device()).toString()).ok();
            assertEquals(2, f.leases().size());

            // What libcni sends: the network config without a device, and both attachment keys.
            ObjectNode gc = f.config("1.1.0", null);
            ArrayNode valid = gc.putArray("cni.dev/valid-attachments");
            valid.addObject().put("containerID", "kept").put("ifname", "net1");
            gc.set("cni.dev/attachments", valid.deepCopy());
            CniCall.run(Map.of("CNI_COMMAND", "GC", "CNI_PATH", CniCall.CNI_PATH), gc.toString()).ok();

            f.assertHome(dropped);
            assertEquals(List.of("kept@net1.json"), f.states());
            assertEquals(List.of(keptResult.path("ips").get(0).path("address").asText().replace("/24", "")), f.leases());
            assertTrue(f.pins().stream().allMatch(p -> p.startsWith(kept.device())), "pins: " + f.pins());
            ObjectNode check = keptConfig.deepCopy();
            check.set("prevResult", keptResult);
            CniCall.run(CniCall.env("CHECK", "kept", podKept, "net1"), check.toString()).ok();

            // GC without the list is refused rather than taken as "keep nothing".
            CniCall.Answer noList = CniCall.run(Map.of("CNI_COMMAND", "GC", "CNI_PATH", CniCall.CNI_PATH),
                    f.config("1.1.0", null).toString());
            assertEquals(CniException.INVALID_NETWORK_CONFIG, noList.code(), noList.toString());
            assertEquals(List.of("kept@net1.json"), f.states());

            CniCall.run(CniCall.env("DEL", "kept", podKept, "net1"), check.toString()).ok();
            f.assertHome(kept);
            assertEquals(List.of(), f.leases());
        }
    }
}
