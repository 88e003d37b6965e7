/** The splitplane device plugin. */
package io.splitplane.deviceplugin;
