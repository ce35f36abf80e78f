# Sourced by every bench/*/run.sh that runs a PyTorch/torchaudio peer: the one place that says how
# the peer runs. `peer_run THREADS ALLOCATOR CMD…` runs CMD with OpenMP, OpenBLAS and MKL pinned to
# THREADS (torch.set_num_threads alone leaves OpenBLAS's own pool running) and glibc's allocator
# either as installed (`default`) or told to keep freed memory in its heap (`kept`): on this VM,
# PyTorch with the default allocator spends ~40 % of a training step in page faults, and keeping
# the heap more than halves its step time (docs/engineering-notes.md, "PyTorch's allocator on
# this machine"). Both settings are measured and ratios are taken against the peer's best.
# The peer's scripts record the setting from PEER_ALLOCATOR.
PEER_THREADS=${PEER_THREADS:-1 2}
PEER_ALLOCATORS=${PEER_ALLOCATORS:-default kept}
peer_run() {
  threads=$1
  allocator=$2
  shift 2
  if [ "$allocator" = kept ]; then
    set -- env MALLOC_MMAP_THRESHOLD_=33554432 MALLOC_TRIM_THRESHOLD_=68719476736 MALLOC_TOP_PAD_=1073741824 "$@"
  fi
  OMP_NUM_THREADS=$threads OPENBLAS_NUM_THREADS=$threads MKL_NUM_THREADS=$threads PEER_ALLOCATOR=$allocator "$@"
}
