package io.splitplane.kernel.bpf;

import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/** What the kernel says about a program fd ({@code bpf_prog_info}, the part read here). */
record ProgInfo(int type, int id, String name) {
    static ProgInfo read(int fd, String what) {
        try (Arena arena = Arena.ofConfined()) {
            // Zeroed by allocate: no pointer field asks the kernel to copy anything out.
            MemorySegment info = arena.allocate(BpfProgInfoLayout.LAYOUT);
            MemorySegment length = arena.allocateFrom(JAVA_INT, (int) BpfProgInfoLayout.SIZE);
            int r = Libbpf.objGetInfoByFd(fd, info, length);
            if (r < 0) {
                throw new BpfException("bpf_obj_get_info_by_fd(" + what + ")", -r, null, null);
            }
            return new ProgInfo(
                    info.get(JAVA_INT, BpfProgInfoLayout.TYPE),
                    info.get(JAVA_INT, BpfProgInfoLayout.ID),
                    info.asSlice(BpfProgInfoLayout.NAME, BpfProgInfoLayout.OBJ_NAME_LEN).getString(0));
        }
    }
}
