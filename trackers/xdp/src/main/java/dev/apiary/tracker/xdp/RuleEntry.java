package dev.apiary.tracker.xdp;

/**
 * A drop rule in a slot of xdp_rules, as {@link RuleTable} placed it. Immutable.
 *
 * @param slot       its slot: also its id in xdp:rules and the key of its hits
 * @param attachment the attachment whose packets it drops
 * @param rule       what it drops
 */
record RuleEntry(int slot, Attachment attachment, Rule rule) {
}
