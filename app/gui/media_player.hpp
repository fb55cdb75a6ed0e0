#pragma once
// Plays a call's G.711 audio: both directions (stereo with the caller left, or mono) or one,
// decoded from the packets the store keeps, with play/pause/stop, a position slider and the
// playing time, which the ladder and the plot show as a cursor. Without an audio output device
// (CI, offscreen, a server) it says so and plays silently: the cursor still follows the call.

#include <QBuffer>
#include <QElapsedTimer>
#include <QWidget>
#include <cstdint>
#include <optional>

#include "audio_mix.hpp"

class QAudioSink;
class QComboBox;
class QLabel;
class QSlider;
class QTimer;
class QToolButton;

namespace sipscope::gui {

// One direction to play: media_streams.id (0: none) and how to name it.
struct PlayerStream {
    std::int64_t id = 0;
    QString label;  // "192.0.2.10:40000 → 198.51.100.20:50000"
};

class MediaPlayer : public QWidget {
    Q_OBJECT
  public:
    explicit MediaPlayer(QWidget* parent = nullptr);
    ~MediaPlayer() override;

    // Decodes both directions on a worker thread (audioLoaded() when done); a later call
    // supersedes one still running.
    void setStreams(const QString& dbPath, const PlayerStream& caller, const PlayerStream& callee);
    void setAudio(analyzer::store::StreamAudio caller, analyzer::store::StreamAudio callee);
    void clear(const QString& why);  // nothing to play, and why
    // Times shown relative to this capture time (the ladder's first message); 0: the audio's
    // start.
    void setTimeOrigin(std::int64_t ns);

    void setMode(MixMode mode);
    MixMode mode() const { return m_mode; }
    const MixedAudio& audio() const { return m_mix; }

    void play();
    void pause();
    void stop();  // back to the start; the cursor is hidden
    void seek(std::int64_t ns);
    bool playing() const { return m_playing; }
    std::int64_t positionNs() const { return m_mix.timeOfFrame(currentFrame()); }
    bool hasOutputDevice() const;
    QString statusText() const;
    QString timeText() const;

  signals:
    void audioLoaded();
    // The playing position in capture time; `visible` false when stopped.
    void cursorChanged(qint64 ns, bool visible);

  private:
    void remix();
    void tick();
    void startOutput();
    void stopOutput();
    void updateControls();
    std::size_t currentFrame() const;

    analyzer::store::StreamAudio m_caller, m_callee;
    PlayerStream m_callerStream, m_calleeStream;
    MixedAudio m_mix;
    MixMode m_mode = MixMode::Stereo;
    bool m_playing = false;
    mutable std::optional<bool> m_hasDevice;  // looked up once, when first needed
    std::size_t m_frame = 0;                  // position when not playing, start of the current run
    QElapsedTimer m_clock;                    // the silent run's clock
    QAudioSink* m_sink = nullptr;             // the current run's output, when there is a device
    QBuffer m_buffer;
    QString m_why;  // why there is nothing to play, or a decoding error
    quint64 m_generation = 0;
    std::int64_t m_origin = 0;

    QToolButton* m_play = nullptr;
    QToolButton* m_stop = nullptr;
    QComboBox* m_modes = nullptr;
    QSlider* m_slider = nullptr;
    QLabel* m_time = nullptr;
    QLabel* m_status = nullptr;
    QTimer* m_timer = nullptr;
};

}  // namespace sipscope::gui
