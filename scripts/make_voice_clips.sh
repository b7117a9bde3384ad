#!/usr/bin/env bash
# Builds the display screen's offline voice clips (SITE-7 叫号语音 without a browser voice):
# govhall/queueing/static/queueing/voice/<name>.ogg, mono Ogg Opus at 16 kbit/s, a few KB each.
#
# TTS: espeak-ng's Mandarin voice (Debian package espeak-ng), fed pinyin with tone numbers through its
# `cmn-latn-pinyin` voice: Debian's build of the plain `cmn` voice lacks the extended dictionary and reads
# many characters (号, 零, 请) as English words, while pinyin input is exact. It runs offline and ships its voice
# data inside the package: no model weights to download (piper, Coqui need them from a hub) and no network
# (edge-tts, gTTS call online services). It sounds synthetic but every word is clear, which is what a call
# needs. Encoder: opusenc (Debian opus-tools); trimming and the chime: sox.
#
#   apt-get install espeak-ng opus-tools sox && scripts/make_voice_clips.sh
#
# The clip names are the ones govhall/queueing/voice.py composes a call from; keep them in step.
set -euo pipefail
cd "$(dirname "$0")/.."
out=govhall/queueing/static/queueing/voice
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$out"

encode() {  # encode <wav> <name>: trim the silence at both ends, 16 kbit/s mono Opus
  sox -V1 "$1" -b 16 -r 24000 -c 1 "$tmp/trim.wav" gain -n -2 silence 1 0.02 0.5% reverse silence 1 0.02 0.5% reverse pad 0 0.06
  opusenc --quiet --bitrate 16 --max-delay 10 --comp 10 "$tmp/trim.wav" "$out/$2.ogg"
}

say() {  # say <name> <text>
  espeak-ng -v cmn-latn-pinyin -s 150 -p 45 -w "$tmp/say.wav" "$2"
  encode "$tmp/say.wav" "$1"
}

digits=(ling2 yi1 er4 san1 si4 wu3 liu4 qi1 ba1 jiu3)  # 零 … 九
for i in "${!digits[@]}"; do say "d$i" "${digits[$i]}"; done
say shi shi2                                   # 十
say qing qing3                                 # 请
say hao_dao "hao4 dao4"                        # 号到
say hao_chuangkou_banli "hao4 chuang1 kou3 ban4 li3"  # 号窗口办理
say voice_on "yu3 yin1 bo1 bao4 yi3 kai1 qi3"  # 语音播报已开启
for letter in {A..Z}; do say "$letter" "$letter"; done

# The chime before each call: a two-tone 叮咚.
sox -n -b 16 -r 24000 -c 1 "$tmp/ding.wav" synth 0.32 sine 988 fade q 0.01 0.32 0.25 gain -6
sox -n -b 16 -r 24000 -c 1 "$tmp/dong.wav" synth 0.55 sine 784 fade q 0.01 0.55 0.45 gain -6
sox "$tmp/ding.wav" "$tmp/dong.wav" "$tmp/chime.wav"
opusenc --quiet --bitrate 16 "$tmp/chime.wav" "$out/chime.ogg"

ls "$out" | wc -l
du -sh "$out"
