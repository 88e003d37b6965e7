package io.splitplane.kernel.bpf;

import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/** What the kernel says about a map fd ({@code bpf_map_info}). */
record MapInfo(int type, int id, int keySize, int valueSize, int maxEntries, int flags, String name) {
    static MapInfo read(int fd, String what) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment info = arena.allocate(BpfMapInfoLayout.LAYOUT);
            MemorySegment length = arena.allocateFrom(JAVA_INT, (int) BpfMapInfoLayout.SIZE);
            int r = Libbpf.objGetInfoByFd(fd, info, length);
            if (r < 0) {
                throw new BpfException("bpf_obj_get_info_by_fd(" + what + ")", -r, null, null);
            }
            return new MapInfo(
                    info.get(JAVA_INT, BpfMapInfoLayout.TYPE),
                    info.get(JAVA_INT, BpfMapInfoLayout.ID),
                    info.get(JAVA_INT, BpfMapInfoLayout.KEY_SIZE),
                    info.get(JAVA_INT, BpfMapInfoLayout.VALUE_SIZE),
                    info.get(JAVA_INT, BpfMapInfoLayout.MAX_ENTRIES),
                    info.get(JAVA_INT, BpfMapInfoLayout.MAP_FLAGS),
                    info.asSlice(BpfMapInfoLayout.NAME, BpfProgInfoLayout.OBJ_NAME_LEN).getString(0));
        }
    }
}
