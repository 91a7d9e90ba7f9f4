// nbody: 32 bodies under gravity, leapfrog (kick-drift-kick) integration
// for 200 steps in double precision; bodies start on circles (sin, cos)
// with orbital speeds (sqrt). Checked: total energy conserved to 1e-3
// relative and total momentum to 1e-9 of its scale.
#include "types.h"
#include "user.h"
#include "math.h"
#include "bench.h"

#define NB 32
#define STEPS 200
#define DT 0.001
#define SOFT2 0.01 // softening keeps close encounters finite

static double px[NB], py[NB], pz[NB], vx[NB], vy[NB], vz[NB], ax[NB], ay[NB], az[NB], mass[NB];

static void accelerations(void) {
  for (int i = 0; i < NB; i++)
    ax[i] = ay[i] = az[i] = 0;
  for (int i = 0; i < NB; i++) {
    for (int j = i + 1; j < NB; j++) {
      double dx = px[j] - px[i], dy = py[j] - py[i], dz = pz[j] - pz[i];
      double r2 = dx * dx + dy * dy + dz * dz + SOFT2;
      double inv = 1.0 / (r2 * sqrt(r2));
      ax[i] += dx * inv * mass[j];
      ay[i] += dy * inv * mass[j];
      az[i] += dz * inv * mass[j];
      ax[j] -= dx * inv * mass[i];
      ay[j] -= dy * inv * mass[i];
      az[j] -= dz * inv * mass[i];
    }
  }
}

static double energy(void) {
  double e = 0;
  for (int i = 0; i < NB; i++) {
    e += 0.5 * mass[i] * (vx[i] * vx[i] + vy[i] * vy[i] + vz[i] * vz[i]);
    for (int j = i + 1; j < NB; j++) {
      double dx = px[j] - px[i], dy = py[j] - py[i], dz = pz[j] - pz[i];
      e -= mass[i] * mass[j] / sqrt(dx * dx + dy * dy + dz * dz + SOFT2);
    }
  }
  return e;
}

static double momentum(double *scale) {
  double mx = 0, my = 0, mz = 0;
  *scale = 0;
  for (int i = 0; i < NB; i++) {
    mx += mass[i] * vx[i];
    my += mass[i] * vy[i];
    mz += mass[i] * vz[i];
    *scale += mass[i] * sqrt(vx[i] * vx[i] + vy[i] * vy[i] + vz[i] * vz[i]);
  }
  return sqrt(mx * mx + my * my + mz * mz);
}

static void step(void) {
  for (int i = 0; i < NB; i++) {
    vx[i] += 0.5 * DT * ax[i];
    vy[i] += 0.5 * DT * ay[i];
    vz[i] += 0.5 * DT * az[i];
    px[i] += DT * vx[i];
    py[i] += DT * vy[i];
    pz[i] += DT * vz[i];
  }
  accelerations();
  for (int i = 0; i < NB; i++) {
    vx[i] += 0.5 * DT * ax[i];
    vy[i] += 0.5 * DT * ay[i];
    vz[i] += 0.5 * DT * az[i];
  }
}

int main(void) {
  for (int i = 0; i < NB; i++) {
    double r = 1.0 + 0.1 * i, angle = 2.0 * M_PI * i / NB * 3.0;
    mass[i] = 1.0 / NB;
    px[i] = r * cos(angle);
    py[i] = r * sin(angle);
    pz[i] = 0.05 * sin(angle * 7.0);
    double v = sqrt(0.5 / r);
    vx[i] = -v * sin(angle);
    vy[i] = v * cos(angle);
    vz[i] = 0;
  }
  // Start from zero total momentum, so conservation is checked against 0.
  double scale, mx = 0, my = 0;
  for (int i = 0; i < NB; i++) {
    mx += mass[i] * vx[i];
    my += mass[i] * vy[i];
  }
  for (int i = 0; i < NB; i++) {
    vx[i] -= mx / (mass[i] * NB);
    vy[i] -= my / (mass[i] * NB);
  }
  double e0 = energy();
  accelerations();
  uint64 t0 = rdtsc();
  for (int s = 0; s < STEPS; s++)
    step();
  uint64 t1 = rdtsc();
  double e1 = energy();
  double p = momentum(&scale);
  double drift = fabs((e1 - e0) / e0);
  int ok = drift < 1e-3 && p < 1e-9 * scale && e0 < 0;
  printf(1, "verify nbody %s energy_e9=%d->%d drift_e9=%d momentum_e15=%d\n", ok ? "ok" : "FAIL",
         (int)(e0 * 1e9), (int)(e1 * 1e9), (int)(drift * 1e9), (int)(p * 1e15));
  return bench_report("nbody", ok, t1 - t0);
}
