#!/usr/bin/env bash
# systemd/bootcheck/run.sh: install the smsgw .deb on a freshly booted
# Debian 12 under real systemd, and check the unit there (check.sh says
# what). A test to run by hand before a release, not in CI: it needs
# debootstrap and qemu (apt-get install -y debootstrap qemu-system-x86
# e2fsprogs; for ARCH=arm64 or armhf also qemu-system-arm and
# qemu-user-static), about 400 MB of Debian packages the first time, and a
# few minutes (the VM runs under software emulation when there is no KVM).
#
#   systemd/bootcheck/run.sh                 # make deb, then boot and check
#   DEB=bin/smsgw_1.4.0_amd64.deb systemd/bootcheck/run.sh
#   ARCH=arm64 systemd/bootcheck/run.sh      # make deb DEB_ARCH=arm64, boot an arm64 VM
#   ARCH=armhf systemd/bootcheck/run.sh      # the same for ARMv7 (make deb DEB_ARCH=arm7)
#
# ARCH is the Debian architecture of the package and of the VM: amd64 (the
# default: qemu-system-x86_64, q35), arm64 (qemu-system-aarch64 -M virt
# -cpu cortex-a72) or armhf (arm7 is the same; qemu-system-arm -M virt
# -cpu cortex-a15, -m 1024, the armmp-lpae 6.1 kernel, console ttyAMA0;
# passes as wired, 43 checks). A foreign root is made by debootstrap
# through qemu-user (binfmt_misc): the arm64 one took 33 minutes here, the
# armhf one 33 too (1981 s), most of it mkinitramfs run twice under
# emulation; the VM itself about 2 minutes for either (armhf: 123 s, the
# check starting 32 s into the boot). The initramfs (MODULES=most) already
# has virtio_blk, virtio_pci and virtio_mmio for -M virt, in the arm64
# and the armmp-lpae kernels alike. A DEB of another architecture is
# refused. Without DEB, the script runs make deb DEB_ARCH=... and takes the
# newest bin/smsgw_*_$ARCH.deb.
#
# Knobs: CACHE (default ~/.cache/smsgw-bootcheck: the Debian root, built
# once per architecture: $SUITE-rootfs.tar for amd64, $SUITE-$ARCH-rootfs.tar
# for the others), SUITE (bookworm), MIRROR, TIMEOUT (seconds for the VM:
# 900 for amd64, 2400 for arm64 and armhf, which qemu emulates instruction
# by instruction (TCG) on an x86 host), KEEP=1 (keep the work dir). The
# VM's console is in $WORK/console.log.
# Exit 0 when the VM printed BOOTCHECK PASS, 1 otherwise, 2 when the setup is
# wrong (a missing tool, a package of another architecture). Run as root
# (debootstrap and the image's file owners need it).
set -euo pipefail
cd "$(dirname "$0")/../.."

SUITE=${SUITE:-bookworm}
MIRROR=${MIRROR:-http://deb.debian.org/debian}
CACHE=${CACHE:-$HOME/.cache/smsgw-bootcheck}
ARCH=${ARCH:-amd64}
[[ $ARCH == arm7 ]] && ARCH=armhf
# Per architecture: make's DEB_ARCH, the kernel package, the qemu binary and
# its machine, the serial console, the root's cache name, the VM's timeout.
case $ARCH in
amd64)
	make_arch=amd64 kernel_pkg=linux-image-amd64
	qemu=qemu-system-x86_64 qemu_pkg=qemu-system-x86 console=ttyS0
	machine=(-machine q35) cpu=()
	base=$CACHE/$SUITE-rootfs.tar
	TIMEOUT=${TIMEOUT:-900}
	;;
arm64)
	make_arch=arm64 kernel_pkg=linux-image-arm64
	qemu=qemu-system-aarch64 qemu_pkg=qemu-system-arm console=ttyAMA0
	machine=(-machine virt) cpu=(-cpu cortex-a72)
	base=$CACHE/$SUITE-arm64-rootfs.tar
	TIMEOUT=${TIMEOUT:-2400}
	;;
armhf)
	make_arch=arm7 kernel_pkg=linux-image-armmp-lpae
	qemu=qemu-system-arm qemu_pkg=qemu-system-arm console=ttyAMA0
	machine=(-machine virt) cpu=(-cpu cortex-a15)
	base=$CACHE/$SUITE-armhf-rootfs.tar
	TIMEOUT=${TIMEOUT:-2400}
	;;
*)
	echo "ARCH=$ARCH: amd64, arm64 or armhf (arm7)" >&2
	exit 2
	;;
esac
for cmd in debootstrap "$qemu" mkfs.ext4; do
	command -v "$cmd" >/dev/null || {
		echo "missing $cmd: apt-get install -y debootstrap $qemu_pkg e2fsprogs" >&2
		exit 2
	}
done
[[ $(id -u) == 0 ]] || {
	echo "run as root (debootstrap, and root-owned files in the image)" >&2
	exit 2
}
host_arch=$(dpkg --print-architecture 2>/dev/null || echo unknown)

if [[ -z ${DEB:-} ]]; then
	make deb DEB_ARCH="$make_arch" >&2
	DEB=$(ls -t bin/smsgw_*_"$ARCH".deb | head -1)
fi
echo "package: $DEB ($ARCH)" >&2
[[ -f $DEB ]] || {
	echo "$DEB: no such file" >&2
	exit 2
}
deb_arch=$(dpkg-deb -f "$DEB" Architecture)
[[ $deb_arch == "$ARCH" ]] || {
	echo "$DEB is for $deb_arch, not $ARCH (set ARCH=$deb_arch)" >&2
	exit 2
}

# The Debian root, once: systemd, udev, a kernel and its initramfs. For a
# foreign architecture debootstrap runs the packages' scripts through
# qemu-user: in one go when binfmt_misc has the interpreter with flag F
# (loaded at registration: qemu-user-static's default), otherwise with
# --foreign, the interpreter copied into the root for the second stage.
if [[ ! -f $base ]]; then
	mkdir -p "$CACHE"
	tmp=$(mktemp -d "$CACHE/debootstrap.XXXXXX")
	echo "debootstrap $SUITE $ARCH into $tmp (once; cached as $base)" >&2
	T0=$(date +%s)
	ds=(debootstrap --arch="$ARCH" --variant=minbase
		--include=systemd,systemd-sysv,udev,dbus,$kernel_pkg,initramfs-tools,curl,ca-certificates,procps,adduser)
	interp=
	if [[ $ARCH != "$host_arch" ]]; then
		qarch=$ARCH
		[[ $ARCH == arm64 ]] && qarch=aarch64
		[[ $ARCH == armhf ]] && qarch=arm
		fmt=/proc/sys/fs/binfmt_misc/qemu-$qarch
		if [[ ! -r $fmt ]] || ! grep -qx enabled "$fmt"; then
			echo "no binfmt_misc entry for qemu-$qarch: apt-get install -y qemu-user-static binfmt-support" >&2
			exit 2
		fi
		if ! grep -q '^flags:.*F' "$fmt"; then
			interp=$(sed -n 's/^interpreter //p' "$fmt")
			[[ -x $interp ]] || {
				echo "$interp (binfmt_misc qemu-$qarch) missing: apt-get install -y qemu-user-static" >&2
				exit 2
			}
		fi
	fi
	if [[ -z $interp ]]; then
		"${ds[@]}" "$SUITE" "$tmp" "$MIRROR" >"$CACHE/debootstrap.log" 2>&1 || {
			tail -20 "$CACHE/debootstrap.log" >&2
			exit 1
		}
	else
		{
			"${ds[@]}" --foreign "$SUITE" "$tmp" "$MIRROR" &&
				install -D -m 0755 "$interp" "$tmp$interp" &&
				chroot "$tmp" /debootstrap/debootstrap --second-stage &&
				rm -f "$tmp$interp"
		} >"$CACHE/debootstrap.log" 2>&1 || {
			tail -20 "$CACHE/debootstrap.log" >&2
			exit 1
		}
	fi
	rm -f "$tmp"/var/cache/apt/archives/*.deb
	tar -C "$tmp" -cf "$base" .
	rm -rf "$tmp"
	echo "debootstrap took $(($(date +%s) - T0)) s" >&2
fi

WORK=$(mktemp -d /tmp/smsgw-bootcheck.XXXXXX)
cleanup() { if [[ -z ${KEEP:-} ]]; then rm -rf "$WORK/root" "$WORK/disk.img"; fi; }
trap cleanup EXIT
root=$WORK/root
mkdir -p "$root"
tar -C "$root" -xf "$base"

# The check runs once at boot, on the serial console, then powers off.
install -m 0644 "$DEB" "$root/root/smsgw.deb"
install -m 0755 systemd/bootcheck/check.sh "$root/root/bootcheck.sh"
cat >"$root/etc/systemd/system/smsgw-bootcheck.service" <<'UNIT'
[Unit]
Description=smsgw package check
After=multi-user.target
[Service]
Type=oneshot
ExecStart=/root/bootcheck.sh
StandardOutput=journal+console
StandardError=journal+console
[Install]
WantedBy=multi-user.target
UNIT
ln -sf /etc/systemd/system/smsgw-bootcheck.service "$root/etc/systemd/system/multi-user.target.wants/smsgw-bootcheck.service"
echo "/dev/vda / ext4 rw,errors=remount-ro 0 1" >"$root/etc/fstab"
echo smsgw-bootcheck >"$root/etc/hostname"
echo "127.0.1.1 smsgw-bootcheck" >>"$root/etc/hosts"
# No login prompt on the console: it would interleave with the check.
ln -sf /dev/null "$root/etc/systemd/system/serial-getty@$console.service"

kernel=$(ls "$root"/boot/vmlinuz-* | head -1)
initrd=$(ls "$root"/boot/initrd.img-* | head -1)
cp "$kernel" "$WORK/vmlinuz"
cp "$initrd" "$WORK/initrd.img"
mkfs.ext4 -q -F -L root -d "$root" "$WORK/disk.img" 3G

# KVM only for the host's own architecture; otherwise TCG, multi-threaded.
accel=tcg
if [[ -w /dev/kvm && $ARCH == "$host_arch" ]]; then
	accel=kvm
	[[ $ARCH != amd64 ]] && cpu=(-cpu host)
fi
echo "booting $ARCH ($qemu, $accel), up to $TIMEOUT s; console: $WORK/console.log" >&2
T0=$(date +%s)
timeout "$TIMEOUT" "$qemu" "${machine[@]}" -accel "$accel" "${cpu[@]}" -smp 2 -m 1024 \
	-nographic -no-reboot -nic none \
	-kernel "$WORK/vmlinuz" -initrd "$WORK/initrd.img" \
	-append "root=/dev/vda rw console=$console panic=-1 quiet systemd.show_status=0" \
	-drive "file=$WORK/disk.img,if=virtio,format=raw" \
	</dev/null >"$WORK/console.log" 2>&1 || true
echo "VM ran $(($(date +%s) - T0)) s" >&2

sed -n '/BOOTCHECK START/,/BOOTCHECK \(PASS\|FAIL\)/p' "$WORK/console.log" | sed 's/\r$//'
if grep -q "BOOTCHECK PASS" "$WORK/console.log"; then
	exit 0
fi
grep -q "BOOTCHECK START" "$WORK/console.log" || tail -40 "$WORK/console.log" >&2
exit 1
