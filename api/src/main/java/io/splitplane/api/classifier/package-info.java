/**
 * The XDP classifier's rules as the operator writes them and the CNI config carries them: which
 * packets of a pool netdev go to the AF_XDP socket of their rx queue ({@link Action#REDIRECT}), to
 * the kernel ({@link Action#PASS}) or nowhere ({@link Action#DROP}). Every record validates itself
 * in its constructor, so an impossible rule is refused where it is written, with the JSON path of the
 * field at fault; {@code io.splitplane.bpf.Classifier} turns valid rules into map entries.
 *
 * <pre>{@code
 * {"rules": [
 *   {"name": "dns",     "action": "redirect", "protocol": "udp", "dstPorts": "53"},
 *   {"name": "app",     "action": "redirect", "protocol": "udp", "dstPorts": "10000-10999",
 *    "dstPrefixes": ["10.1.0.0/16", "2001:db8:1::/48"], "vlan": 100},
 *   {"name": "blocked", "action": "drop", "srcPrefixes": ["192.0.2.0/24"]}
 * ]}
 * }</pre>
 */
package io.splitplane.api.classifier;
