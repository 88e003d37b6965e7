/**
 * The contracts between splitplane's components: configuration records with their JSON form and
 * validation. The operator writes these, the device plugin, CNI plugin and dataplane read them; one
 * definition keeps both sides from drifting apart.
 */
package io.splitplane.api;
