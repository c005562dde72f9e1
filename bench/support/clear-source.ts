// The benchmarks' clear source: ~200 MB of noisy 720p H.264 + AAC made once by ffmpeg in .cache/bench, progressive
// and (ffmpeg-fragmented) fragmented.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

export function clearSources(dir: string, seconds: number): { prog: string; frag: string } {
  const prog = join(dir, 'clear_prog.mp4');
  if (!existsSync(prog)) {
    if (spawnSync('ffmpeg', ['-version']).error) throw new Error('ffmpeg is needed once to build the clear source in .cache/bench');
    console.log(`building a ~200 MB clear source (${seconds} s of noisy 720p at 26 Mb/s) with ffmpeg…`);
    execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc2=size=1280x720:rate=30', '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000',
      '-t', String(seconds), '-vf', 'noise=alls=25:allf=t,format=yuv420p', '-c:v', 'libx264', '-preset', 'ultrafast', '-b:v', '26M', '-maxrate', '26M', '-bufsize', '26M', '-g', '60',
      '-c:a', 'aac', '-b:a', '128k', '-movflags', '+faststart', prog]);
  }
  const frag = join(dir, 'clear_frag.mp4');
  if (!existsSync(frag)) {
    execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', '-i', prog, '-c', 'copy', '-movflags', 'frag_keyframe+empty_moov+default_base_moof', frag]);
  }
  return { prog, frag };
}
