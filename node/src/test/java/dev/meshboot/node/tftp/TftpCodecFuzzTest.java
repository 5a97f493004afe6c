package dev.meshboot.node.tftp;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.Size;

class TftpCodecFuzzTest {
    @Property(tries = 3000)
    void randomBytes_onlyEverRaiseTheCodecsException(@ForAll @Size(max = 700) byte[] data) {
        try {
            TftpPacket p = TftpCodec.decode(data, 0, data.length);
            TftpCodec.encode(p);
        } catch (TftpFormatException expected) {
            // the one exception the codec may raise
        }
    }
}
