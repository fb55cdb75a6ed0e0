#pragma once
// Listening quality of a G.711 stream by the ITU-T G.107 E-model, reduced to what a passive
// probe can measure (loss, jitter) plus documented defaults for the rest:
//
//   R = Ro − Is − Id − Ie,eff + A, with Ro − Is = 93.2 (G.107 default values), A = 0.
//   Ie,eff = Ie + (95 − Ie) · Ppl / (Ppl / BurstR + Bpl)     (G.107 §7.4, eq. 7-29)
//   G.711: Ie = 0, Bpl = 25.1 (with packet loss concealment, G.113 Appendix I), BurstR = 1
//   (random loss: a passive probe cannot tell bursts from the loss count alone).
//   Id from the one-way mouth-to-ear delay Ta (ms) by the usual simplification of G.107 §7.3
//   (Cole & Rosenbluth): Id = 0.024·Ta + 0.11·(Ta − 177.3)·H(Ta − 177.3).
//   Ta = network delay (unknown passively: 0 ms unless given) + 20 ms packetisation
//        + a jitter buffer of max(20 ms, 2 × interarrival jitter).
//   MOS = 1 + 0.035·R + R·(R − 60)·(100 − R)·7·10⁻⁶ for 0 < R < 100; 1 below, 4.5 above.

namespace sipscope::analyzer {

struct EModelInput {
    double lossPct = 0;         // Ppl, percent of packets lost
    double jitterMs = 0;        // RFC 3550 interarrival jitter
    double networkDelayMs = 0;  // one-way, when known from elsewhere
    double burstR = 1;          // 1: random loss
    double bpl = 25.1;          // G.711 with PLC
    double ie = 0;              // G.711
    double ro = 93.2;           // Ro − Is with G.107 default values
    double packetisationMs = 20;
};

struct EModelResult {
    double delayMs = 0;  // Ta
    double id = 0;
    double ieEff = 0;
    double r = 0;
    double mos = 1;
};

EModelResult emodel(const EModelInput& in) noexcept;
// MOS-CQE from an R-factor (G.107 Annex B).
double mosFromR(double r) noexcept;

}  // namespace sipscope::analyzer
