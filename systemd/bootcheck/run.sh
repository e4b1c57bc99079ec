#!/usr/bin/env bash
# systemd/bootcheck/run.sh: install the smsgw .deb on a freshly booted
# Debian 12 under real systemd, and check the unit there (check.sh says
# what). A test to run by hand before a release, not in CI: it needs
# debootstrap and qemu-system-x86 (apt-get install -y debootstrap
# qemu-system-x86), about 400 MB of Debian packages the first time, and a
# few minutes (the VM runs under software emulation when there is no KVM).
#
#   systemd/bootcheck/run.sh                 # make deb, then boot and check
#   DEB=bin/smsgw_1.4.0_amd64.deb systemd/bootcheck/run.sh
#
# Knobs: CACHE (default ~/.cache/smsgw-bootcheck: the Debian root, built
# once), SUITE (bookworm), MIRROR, TIMEOUT (seconds for the VM, 900),
# KEEP=1 (keep the work dir). The VM's console is in $WORK/console.log.
# Exit 0 when the VM printed BOOTCHECK PASS, 1 otherwise. Run as root
# (debootstrap and the image's file owners need it).
set -euo pipefail
cd "$(dirname "$0")/../.."

SUITE=${SUITE:-bookworm}
MIRROR=${MIRROR:-http://deb.debian.org/debian}
CACHE=${CACHE:-$HOME/.cache/smsgw-bootcheck}
TIMEOUT=${TIMEOUT:-900}
for cmd in debootstrap qemu-system-x86_64 mkfs.ext4; do
	command -v "$cmd" >/dev/null || {
		echo "missing $cmd: apt-get install -y debootstrap qemu-system-x86 e2fsprogs" >&2
		exit 2
	}
done
[[ $(id -u) == 0 ]] || {
	echo "run as root (debootstrap, and root-owned files in the image)" >&2
	exit 2
}

if [[ -z ${DEB:-} ]]; then
	make deb >&2
	DEB=$(ls -t bin/smsgw_*.deb | head -1)
fi
echo "package: $DEB" >&2

# The Debian root, once: systemd, udev, a kernel and its initramfs.
base=$CACHE/$SUITE-rootfs.tar
if [[ ! -f $base ]]; then
	mkdir -p "$CACHE"
	tmp=$(mktemp -d "$CACHE/debootstrap.XXXXXX")
	echo "debootstrap $SUITE into $tmp (once; cached as $base)" >&2
	debootstrap --variant=minbase \
		--include=systemd,systemd-sysv,udev,dbus,linux-image-amd64,initramfs-tools,curl,ca-certificates,procps,adduser \
		"$SUITE" "$tmp" "$MIRROR" >"$CACHE/debootstrap.log" 2>&1 || {
		tail -20 "$CACHE/debootstrap.log" >&2
		exit 1
	}
	rm -f "$tmp"/var/cache/apt/archives/*.deb
	tar -C "$tmp" -cf "$base" .
	rm -rf "$tmp"
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
ln -sf /dev/null "$root/etc/systemd/system/serial-getty@ttyS0.service"

kernel=$(ls "$root"/boot/vmlinuz-* | head -1)
initrd=$(ls "$root"/boot/initrd.img-* | head -1)
cp "$kernel" "$WORK/vmlinuz"
cp "$initrd" "$WORK/initrd.img"
mkfs.ext4 -q -F -L root -d "$root" "$WORK/disk.img" 3G

accel=tcg
[[ -w /dev/kvm ]] && accel=kvm
echo "booting ($accel), up to $TIMEOUT s; console: $WORK/console.log" >&2
T0=$(date +%s)
timeout "$TIMEOUT" qemu-system-x86_64 -machine q35,accel=$accel -smp 2 -m 1024 \
	-nographic -no-reboot -nic none \
	-kernel "$WORK/vmlinuz" -initrd "$WORK/initrd.img" \
	-append "root=/dev/vda rw console=ttyS0 panic=-1 quiet systemd.show_status=0" \
	-drive "file=$WORK/disk.img,if=virtio,format=raw" \
	</dev/null >"$WORK/console.log" 2>&1 || true
echo "VM ran $(($(date +%s) - T0)) s" >&2

sed -n '/BOOTCHECK START/,/BOOTCHECK \(PASS\|FAIL\)/p' "$WORK/console.log" | sed 's/\r$//'
if grep -q "BOOTCHECK PASS" "$WORK/console.log"; then
	exit 0
fi
grep -q "BOOTCHECK START" "$WORK/console.log" || tail -40 "$WORK/console.log" >&2
exit 1
