#include "media_player.hpp"

#include <QAudioDevice>
#include <QAudioFormat>
#include <QAudioSink>
#include <QComboBox>
#include <QFutureWatcher>
#include <QHBoxLayout>
#include <QLabel>
#include <QMediaDevices>
#include <QSlider>
#include <QStyle>
#include <QTimer>
#include <QToolButton>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>
#include <utility>

namespace sipscope::gui {

using analyzer::store::StreamAudio;

namespace {

QString clockText(std::int64_t ns) {
    const auto tenths = std::max<std::int64_t>(0, ns / 100'000'000);
    return QStringLiteral("%1:%2.%3")
        .arg(tenths / 600)
        .arg(tenths / 10 % 60, 2, 10, QLatin1Char('0'))
        .arg(tenths % 10);
}

QAudioFormat formatOf(const MixedAudio& a) {
    QAudioFormat f;
    f.setSampleRate(a.sampleRate);
    f.setChannelCount(a.channels);
    f.setSampleFormat(QAudioFormat::Int16);
    return f;
}

struct Decoded {
    StreamAudio caller, callee;
};

StreamAudio decode(analyzer::sql::Database& db, std::int64_t id) {
    if (id <= 0) return {};
    return analyzer::store::readStreamAudio(db, id);
}

Decoded decodeBoth(const QString& dbPath, std::int64_t caller, std::int64_t callee) {
    Decoded out;
    try {
        analyzer::sql::Database db(dbPath.toStdString(), analyzer::sql::Database::Mode::ReadOnly);
        out.caller = decode(db, caller);
        out.callee = decode(db, callee);
    } catch (const analyzer::sql::Error& e) {
        out.caller.error = e.message;
    }
    return out;
}

}  // namespace

MediaPlayer::MediaPlayer(QWidget* parent) : QWidget(parent) {
    m_play = new QToolButton(this);
    m_play->setIcon(style()->standardIcon(QStyle::SP_MediaPlay));
    m_play->setToolTip(tr("Play / pause"));
    m_stop = new QToolButton(this);
    m_stop->setIcon(style()->standardIcon(QStyle::SP_MediaStop));
    m_stop->setToolTip(tr("Stop"));
    m_modes = new QComboBox(this);
    m_modes->addItems({tr("Both directions, stereo (caller left)"), tr("Both directions, mono"),
                       tr("Caller → callee only"), tr("Callee → caller only")});
    m_slider = new QSlider(Qt::Horizontal, this);
    m_slider->setToolTip(tr("Playing position (the red line on the ladder)"));
    m_time = new QLabel(this);
    m_time->setTextFormat(Qt::PlainText);
    m_status = new QLabel(this);
    m_status->setTextFormat(Qt::PlainText);
    m_status->setWordWrap(true);
    auto* row = new QHBoxLayout;
    row->setContentsMargins(0, 0, 0, 0);
    row->addWidget(m_play);
    row->addWidget(m_stop);
    row->addWidget(m_modes);
    row->addWidget(m_slider, 1);
    row->addWidget(m_time);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 2, 0, 0);
    layout->setSpacing(2);
    layout->addLayout(row);
    layout->addWidget(m_status);
    m_timer = new QTimer(this);
    m_timer->setInterval(40);
    connect(m_timer, &QTimer::timeout, this, &MediaPlayer::tick);
    connect(m_play, &QToolButton::clicked, this, [this] { m_playing ? pause() : play(); });
    connect(m_stop, &QToolButton::clicked, this, &MediaPlayer::stop);
    connect(m_modes, &QComboBox::currentIndexChanged, this,
            [this](int i) { setMode(static_cast<MixMode>(i)); });
    connect(m_slider, &QSlider::sliderMoved, this,
            [this](int ms) { seek(m_mix.startNs + std::int64_t{ms} * 1'000'000); });
    m_buffer.setParent(this);
    clear(tr("Select a call with G.711 audio to play it"));
}

MediaPlayer::~MediaPlayer() {
    stopOutput();
}

void MediaPlayer::setStreams(const QString& dbPath, const PlayerStream& caller,
                             const PlayerStream& callee) {
    stop();
    m_callerStream = caller;
    m_calleeStream = callee;
    const quint64 generation = ++m_generation;
    m_why = tr("Decoding the call's audio…");
    m_caller = {};
    m_callee = {};
    remix();
    auto* watcher = new QFutureWatcher<Decoded>(this);
    connect(watcher, &QFutureWatcherBase::finished, this, [this, watcher, generation] {
        watcher->deleteLater();
        if (generation != m_generation) return;
        Decoded d = watcher->result();
        setAudio(std::move(d.caller), std::move(d.callee));
        emit audioLoaded();
    });
    const std::int64_t a = caller.id, b = callee.id;
    watcher->setFuture(QtConcurrent::run([dbPath, a, b] { return decodeBoth(dbPath, a, b); }));
}

void MediaPlayer::setAudio(StreamAudio caller, StreamAudio callee) {
    stop();
    m_caller = std::move(caller);
    m_callee = std::move(callee);
    m_why.clear();
    if (!m_caller.ok && !m_callee.ok) {
        const std::string& e = m_caller.error.empty() ? m_callee.error : m_caller.error;
        m_why = e.empty() ? tr("No audio to play") : QString::fromStdString(e);
    }
    remix();
}

void MediaPlayer::clear(const QString& why) {
    ++m_generation;
    stop();
    m_caller = {};
    m_callee = {};
    m_callerStream = {};
    m_calleeStream = {};
    m_why = why;
    remix();
}

void MediaPlayer::setMode(MixMode mode) {
    if (m_modes->currentIndex() != static_cast<int>(mode)) {
        const QSignalBlocker block(m_modes);
        m_modes->setCurrentIndex(static_cast<int>(mode));
    }
    if (mode == m_mode) return;
    // The same moment of the call plays on in the new mix (its start may differ).
    const bool wasPlaying = m_playing;
    if (wasPlaying) pause();
    const bool started = m_frame > 0;
    const std::int64_t at = positionNs();
    m_mode = mode;
    remix();
    m_frame = started ? m_mix.frameAt(at) : 0;
    updateControls();
    if (wasPlaying) play();
}

void MediaPlayer::remix() {
    m_mix = mixAudio(m_caller, m_callee, m_mode);
    m_frame = std::min(m_frame, m_mix.frames());
    updateControls();
}

std::size_t MediaPlayer::currentFrame() const {
    if (!m_playing) return m_frame;
    const double seconds = m_sink ? static_cast<double>(m_sink->processedUSecs()) / 1e6
                                  : static_cast<double>(m_clock.nsecsElapsed()) / 1e9;
    const auto played = static_cast<std::size_t>(seconds * m_mix.sampleRate);
    return std::min(m_mix.frames(), m_frame + played);
}

void MediaPlayer::play() {
    if (m_playing || m_mix.frames() == 0) return;
    if (m_frame >= m_mix.frames()) m_frame = 0;
    m_playing = true;
    startOutput();
    m_timer->start();
    updateControls();
    emit cursorChanged(positionNs(), true);
}

void MediaPlayer::pause() {
    if (!m_playing) return;
    m_frame = currentFrame();  // before the output (and its count of played frames) goes
    stopOutput();
    m_playing = false;
    m_timer->stop();
    updateControls();
    emit cursorChanged(positionNs(), true);
}

void MediaPlayer::stop() {
    const bool wasShown = m_playing || m_frame > 0;
    stopOutput();
    m_playing = false;
    m_timer->stop();
    m_frame = 0;
    updateControls();
    if (wasShown) emit cursorChanged(positionNs(), false);
}

void MediaPlayer::seek(std::int64_t ns) {
    const bool wasPlaying = m_playing;
    if (wasPlaying) stopOutput();
    m_frame = m_mix.frameAt(ns);
    if (wasPlaying) startOutput();
    updateControls();
    emit cursorChanged(positionNs(), true);
}

bool MediaPlayer::hasOutputDevice() const {
    // Asked when there is audio, not at start-up: the app opens no sound server before then.
    // G.711 decodes to 8 kHz 16-bit; a device that cannot take it counts as none.
    if (!m_hasDevice) {
        const QAudioDevice device = QMediaDevices::defaultAudioOutput();
        m_hasDevice = !device.isNull() && device.isFormatSupported(formatOf(MixedAudio{}));
    }
    return *m_hasDevice;
}

void MediaPlayer::startOutput() {
    m_clock.start();
    if (!hasOutputDevice()) return;
    const QAudioDevice device = QMediaDevices::defaultAudioOutput();
    if (device.isNull() || !device.isFormatSupported(formatOf(m_mix))) return;
    m_buffer.close();
    m_buffer.setData(m_mix.bytesFrom(m_frame));
    m_buffer.open(QIODevice::ReadOnly);
    m_sink = new QAudioSink(device, formatOf(m_mix), this);
    m_sink->start(&m_buffer);
}

void MediaPlayer::stopOutput() {
    if (!m_sink) return;
    m_sink->stop();
    m_sink->deleteLater();
    m_sink = nullptr;
    m_buffer.close();
}

void MediaPlayer::tick() {
    if (!m_playing) return;
    if (currentFrame() >= m_mix.frames()) {
        stop();
        return;
    }
    updateControls();
    emit cursorChanged(positionNs(), true);
}

void MediaPlayer::setTimeOrigin(std::int64_t ns) {
    m_origin = ns;
    m_time->setToolTip(ns ? tr("Since the call's first message, like the ladder's relative time")
                          : tr("Since the start of the audio"));
    updateControls();
}

QString MediaPlayer::timeText() const {
    const std::int64_t origin = m_origin ? m_origin : m_mix.startNs;
    return QStringLiteral("%1 / %2").arg(clockText(positionNs() - origin),
                                         clockText(m_mix.timeOfFrame(m_mix.frames()) - origin));
}

QString MediaPlayer::statusText() const {
    return m_status->text();
}

void MediaPlayer::updateControls() {
    const bool any = m_mix.frames() > 0;
    m_play->setEnabled(any);
    m_stop->setEnabled(any);
    m_slider->setEnabled(any);
    m_play->setIcon(
        style()->standardIcon(m_playing ? QStyle::SP_MediaPause : QStyle::SP_MediaPlay));
    {
        const QSignalBlocker block(m_slider);
        m_slider->setRange(0, static_cast<int>(m_mix.durationNs() / 1'000'000));
        m_slider->setValue(static_cast<int>((positionNs() - m_mix.startNs) / 1'000'000));
    }
    m_time->setText(timeText());
    QStringList status;
    if (!m_why.isEmpty()) status << m_why;
    if (any) {
        QStringList parts;
        if (m_caller.ok)
            parts << tr("caller %1 (%2)")
                         .arg(m_callerStream.label, QString::fromStdString(m_caller.encoding));
        if (m_callee.ok)
            parts << tr("callee %1 (%2)")
                         .arg(m_calleeStream.label, QString::fromStdString(m_callee.encoding));
        status << parts.join(QStringLiteral(" · "));
        if (!hasOutputDevice())
            status << tr("No audio output device: plays silently, the cursor follows the call");
    }
    m_status->setText(status.join(QLatin1Char('\n')));
}

}  // namespace sipscope::gui
