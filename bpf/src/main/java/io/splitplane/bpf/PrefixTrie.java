package io.splitplane.bpf;

/**
 * The classifier's four prefix matchers, one per address family and direction: each an inline
 * table in the rule set or an LPM trie map (see {@link PrefixMatch}).
 */
enum PrefixTrie {
    DST4("dst4_prefixes", 4, true, RuleSetLayout.F_DST4_TABLE, RuleSetLayout.F_DST4_TRIE, RuleSetLayout.DST4,
            RuleSetLayout.DST4_BLOCK, "IPv4 destination"),
    SRC4("src4_prefixes", 4, false, RuleSetLayout.F_SRC4_TABLE, RuleSetLayout.F_SRC4_TRIE, RuleSetLayout.SRC4,
            RuleSetLayout.SRC4_BLOCK, "IPv4 source"),
    DST6("dst6_prefixes", 6, true, RuleSetLayout.F_DST6_TABLE, RuleSetLayout.F_DST6_TRIE, RuleSetLayout.DST6,
            RuleSetLayout.DST6_BLOCK, "IPv6 destination"),
    SRC6("src6_prefixes", 6, false, RuleSetLayout.F_SRC6_TABLE, RuleSetLayout.F_SRC6_TRIE, RuleSetLayout.SRC6,
            RuleSetLayout.SRC6_BLOCK, "IPv6 source");

    private final String mapName;
    private final int ipVersion;
    private final boolean destination;
    private final int tableFlag;
    private final int trieFlag;
    private final long tableOffset;
    private final long blockOffset;
    private final String description;

    PrefixTrie(String mapName, int ipVersion, boolean destination, int tableFlag, int trieFlag, long tableOffset,
               long blockOffset, String description) {
        this.mapName = mapName;
        this.ipVersion = ipVersion;
        this.destination = destination;
        this.tableFlag = tableFlag;
        this.trieFlag = trieFlag;
        this.tableOffset = tableOffset;
        this.blockOffset = blockOffset;
        this.description = description;
    }

    static PrefixTrie of(int ipVersion, boolean destination) {
        if (ipVersion == 4) {
            return destination ? DST4 : SRC4;
        }
        return destination ? DST6 : SRC6;
    }

    String mapName() {
        return mapName;
    }

    int ipVersion() {
        return ipVersion;
    }

    boolean destination() {
        return destination;
    }

    /** The sp_ruleset flag saying this family and direction use the inline table. */
    int tableFlag() {
        return tableFlag;
    }

    /** The sp_ruleset flag saying this family and direction use the trie. */
    int trieFlag() {
        return trieFlag;
    }

    /** Where this family and direction's inline table is in {@code struct sp_ruleset}. */
    long tableOffset() {
        return tableOffset;
    }

    /** Where this family and direction's block index sits in the rule set. */
    long blockOffset() {
        return blockOffset;
    }

    String description() {
        return description;
    }
}
