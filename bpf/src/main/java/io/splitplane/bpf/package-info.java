/**
 * The XDP classifier: one compiled BPF program ({@code classifier.bpf.o}, C source in
 * {@code bpf/src/main/bpf}) whose rules are data in maps, and its typed Java front
 * {@link io.splitplane.bpf.Classifier}. Rules come as {@code io.splitplane.api.classifier} records;
 * {@code RuleCompiler} turns them into map entries, {@code RuleSetWriter} swaps them in atomically,
 * and the {@code *Layout} classes mirror classifier.h (checked by a test against the C header).
 */
package io.splitplane.bpf;
